"""Near-duplicate clusters: wire copies with small edits share a cluster, different stories do not."""

import hashlib

import polars as pl

from etl.lib.normalize.near_duplicates import near_duplicate_clusters
from etl.lib.text import comparison_words

# The two articles of the seed page (Asharq Al-Awsat), paragraphs as printed.
KIM = [
    "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله وزير الخارجية الروسي سيرغي لافروف أمس (الخميس)، أنه يريد بناء علاقة «تتطلع إلى المستقبل» مع موسكو، كما ذكرت وكالة الأنباء المركزية الكورية الشمالية الرسمية، اليوم (الجمعة).",
    "وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ، قبل رحلة محتملة للرئيس فلاديمير بوتين إلى هذا البلد الذي يدعم روسيا في حربها ضد أوكرانيا، وفقاً لـ«وكالة الصحافة الفرنسية».",
    "وقال كيم إن هدف حزب «العمال» الحاكم والحكومة هو «وضع خطة مستقرة وتطلعية وبعيدة المدى للعلاقات بين كوريا الديمقراطية وروسيا».",
    "وكان وزير الخارجية الروسي دان، (الخميس)، السياسة العسكرية «الخطرة» التي تنتهجها الولايات المتحدة وحلفاؤها ضد كوريا الشمالية، مرحباً في الوقت نفسه بتعزيز العلاقات بين موسكو وبيونغ يانغ.",
    "وأشار لافروف إلى أن لقاء عُقد في منتصف سبتمبر (أيلول) في أقصى الشرق الروسي بين كيم وبوتين ساهم في تعزيز العلاقات بين موسكو وبيونغ يانغ.",
]
ISHIBA = [
    "قال رئيس الوزراء الياباني شيغيرو إيشيبا، الاثنين، إنه سيبقى في منصبه رغم خسارة حزبه الأغلبية البرلمانية، مؤكداً أنه يريد تجنب «الفراغ السياسي».",
    "وأوضح للصحافيين غداة انتخابات مبكرة خسر ائتلافه الحاكم الأغلبية بنتيجتها: «أريد أن أقوم بواجبي من خلال حماية الشعب واليابان».",
    "وخسر الحزب «الليبرالي الديمقراطي» الحاكم في اليابان غالبيته في الغرفة السفلى للبرلمان، في الانتخابات التشريعية التي جرت الأحد، وذلك للمرة الأولى منذ 2009 وفق تقديرات.",
    "ووجد رئيس الوزراء الياباني نفسه أمام مأزق سياسي عميق، الاثنين، بعد الهزيمة التاريخية للائتلاف الحاكم في الانتخابات التشريعية الكارثية.",
    "وببقائه في منصبه، فسوف يكون على إيشيبا أن يقود حكومة أقلية، أو أن يبحث عن شركاء جدد في الائتلاف.",
]


def clusters(bodies):
    words = pl.DataFrame({"body": bodies}).select(comparison_words(pl.col("body")).alias("words"))["words"]
    long_enough = words.str.len_chars() >= 200
    fingerprints = pl.Series(
        "fingerprint",
        [
            hashlib.sha256(w.encode()).hexdigest() if ok else None
            for w, ok in zip(words, long_enough, strict=True)
        ],
    )
    return near_duplicate_clusters(
        words.set(~long_enough, None), fingerprints
    ).to_list(), fingerprints.to_list()


def test_wire_copies_with_small_edits_share_a_cluster_and_other_stories_do_not():
    original = "\n".join(KIM)
    # another site: its own closing sentence, one word changed, digits and punctuation of its own
    edited = "\n".join(KIM).replace("أمس", "يوم") + "\nوتابعت الوكالة أن الجانبين بحثا ملفات إقليمية."
    other_story = "\n".join(ISHIBA)
    # a story made of part of the second and one paragraph of background from the first: close to neither
    shares_a_paragraph = "\n".join([*ISHIBA[:2], KIM[4]])
    ids, fingerprints = clusters([original, edited, other_story, shares_a_paragraph, "خبر قصير"])
    assert ids[0] == ids[1] == min(fingerprints[0], fingerprints[1])
    assert ids[2] == fingerprints[2]  # alone: its own exact fingerprint, the same in any batch
    assert ids[3] not in (ids[0], ids[2])
    assert ids[4] is None  # too short to call anything a copy of it


def test_clusters_are_transitive_and_independent_of_row_order():
    first = "\n".join(KIM)
    second = first + "\nوتابعت الوكالة أن الجانبين بحثا ملفات إقليمية."
    third = second + "\nوأضافت أن الزيارة استمرت يومين."
    bodies = [third, "\n".join(ISHIBA), first, second]
    ids, _ = clusters(bodies)
    reversed_ids, _ = clusters(bodies[::-1])
    assert ids[0] == ids[2] == ids[3] != ids[1]
    assert reversed_ids[::-1] == ids


def test_identical_copies_share_the_exact_fingerprint():
    ids, fingerprints = clusters(["\n".join(KIM), "\u200f" + "\n".join(KIM).replace("،", ","), None])
    assert ids[:2] == [fingerprints[0], fingerprints[0]]
    assert ids[2] is None
