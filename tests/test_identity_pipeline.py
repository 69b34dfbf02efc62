"""End to end: a site whose CMS slips (site-root, section and shared canonicals, a zero-time date, an article the
pruning takes) run through `akhbar run` on loopback; every real article reaches the marts as its own row."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
import yaml

from tests.conftest import run_akhbar
from tests.hostile_server import LoopbackServer, page

DAY = "2024-10-28"

# Distinct Arabic articles in the seed's style: (path, title, body paragraphs).
ARTICLES = {
    "normal": (
        "/world/4700100-kim-lavrov",
        "كيم جونغ أون يريد بناء علاقة «تتطلع إلى المستقبل» مع روسيا",
        [
            "أكد الزعيم الكوري الشمالي كيم جونغ أون، خلال استقباله وزير الخارجية الروسي سيرغي لافروف أمس "
            "(الخميس)، أنه يريد بناء علاقة «تتطلع إلى المستقبل» مع موسكو، كما ذكرت الوكالة الرسمية.",
            "وأجرى لافروف زيارة استغرقت يومين لبيونغ يانغ، قبل رحلة محتملة للرئيس فلاديمير بوتين إلى هذا البلد.",
        ],
    ),
    "root_1": (
        "/world/4700101-g7-loan",
        "مجموعة السبع تتفق على قرض لأوكرانيا بقيمة خمسين مليار دولار",
        [
            "اتفق وزراء مالية دول مجموعة السبع على تفاصيل قرض بقيمة خمسين مليار دولار لأوكرانيا، يسدد من "
            "عائدات الأصول الروسية المجمدة في المصارف الأوروبية والأميركية.",
            "وقالت وزيرة الخزانة الأميركية إن القرض سيصرف على دفعات خلال العام المقبل بعد موافقة البرلمانات.",
        ],
    ),
    "root_2": (
        "/economy/4700102-oil-prices",
        "أسعار النفط ترتفع مع تراجع المخزونات الأميركية",
        [
            "ارتفعت أسعار النفط في تعاملات الثلاثاء بعد أن أظهرت بيانات رسمية تراجع مخزونات الخام في الولايات "
            "المتحدة بأكثر من توقعات المحللين للأسبوع الثالث على التوالي.",
            "وصعد خام برنت إلى أعلى مستوى له منذ شهرين، فيما يترقب المتعاملون اجتماع تحالف المنتجين الشهر المقبل.",
        ],
    ),
    "og_root": (
        "/world/4700103-japan-ishiba",
        "إيشيبا يبقى في رئاسة الحكومة اليابانية رغم خسارة الغالبية",
        [
            "أعلن رئيس الوزراء الياباني شيغيرو إيشيبا أنه باق في منصبه رغم خسارة الائتلاف الحاكم غالبيته في "
            "مجلس النواب في الانتخابات التي جرت الأحد.",
            "ويتعين على إيشيبا الآن البحث عن شركاء جدد في البرلمان لتمرير الموازنة وقوانين الإنفاق الدفاعي.",
        ],
    ),
    "section_1": (
        "/world/4700104-kyiv-strikes",
        "ضربات روسية على كييف ودنيبرو توقع قتلى وجرحى",
        [
            "قتل ثلاثة أشخاص على الأقل وأصيب العشرات في ضربات صاروخية وهجمات بطائرات مسيرة استهدفت كييف "
            "ودنيبرو ليل الاثنين، وفق ما أعلنت السلطات الأوكرانية.",
            "وقالت القوات الجوية الأوكرانية إنها أسقطت معظم المسيرات، لكن صاروخين أصابا مبنى سكنيا وسط دنيبرو.",
        ],
    ),
    "section_2": (
        "/world/4700105-brics-summit",
        "قمة «بريكس» تكشف حدود التقارب بين الهند والصين",
        [
            "كشفت قمة مجموعة «بريكس» في قازان حدود التقارب بين نيودلهي وبكين، رغم الاتفاق الأخير على تسيير "
            "دوريات مشتركة على حدودهما المتنازع عليها في جبال الهيمالايا.",
            "ويرى دبلوماسيون أن الخلاف حول التجارة وممرات الملاحة سيبقى قائما مهما تحسنت لغة البيانات الختامية.",
        ],
    ),
    "shared_1": (
        "/world/4700106-american-citizen",
        "محكمة روسية تسجن مواطنا أميركيا قاتل في صفوف أوكرانيا",
        [
            "قضت محكمة روسية بسجن مواطن أميركي اثني عشر عاما بعد إدانته بالقتال مرتزقا في صفوف القوات "
            "الأوكرانية، في قضية جديدة تزيد التوتر بين موسكو وواشنطن.",
            "ونفى محامي الرجل التهم، وقال إن موكله كان يعمل في نقل المساعدات الإنسانية إلى المدن الشرقية.",
        ],
    ),
    "shared_2": (
        "/world/4700107-korea-alliance",
        "خبراء: التحالف بين روسيا وكوريا الشمالية يقلق سيول وطوكيو",
        [
            "يرى خبراء في الشؤون الآسيوية أن معاهدة الدفاع المشترك بين روسيا وكوريا الشمالية تفتح الباب أمام "
            "نقل تكنولوجيا عسكرية حساسة إلى بيونغ يانغ مقابل الذخائر.",
            "وتخشى سيول وطوكيو أن يشجع هذا التحالف كوريا الشمالية على مزيد من التجارب الصاروخية في المنطقة.",
        ],
    ),
    "duplicate": (
        "/world/4700108-un-gaza",
        "الأمم المتحدة تحذر من مجاعة وشيكة في شمال غزة",
        [
            "حذرت وكالات الأمم المتحدة من أن شمال قطاع غزة يواجه خطر مجاعة وشيكة، مع توقف دخول المساعدات "
            "الغذائية منذ أسابيع وتزايد أعداد النازحين في المدارس والمستشفيات.",
            "ودعا الأمين العام إلى فتح المعابر فورا وحماية العاملين في المجال الإنساني.",
        ],
    ),
    "zero_date": (
        "/world/4700109-election-turnout",
        "نسبة المشاركة في الانتخابات المحلية الأعلى منذ عقدين",
        [
            "أعلنت اللجنة العليا للانتخابات أن نسبة المشاركة في الانتخابات المحلية بلغت ثمانية وستين في المائة، "
            "وهي الأعلى منذ عقدين، مع إقبال لافت للشباب في المدن الكبرى.",
            "ومن المنتظر إعلان النتائج النهائية مساء الخميس بعد انتهاء عمليات الفرز في جميع الدوائر.",
        ],
    ),
    "pruned": (
        "/world/4700110-sudan-talks",
        "استئناف مفاوضات جدة بين طرفي النزاع في السودان",
        [
            "استؤنفت في جدة مفاوضات غير مباشرة بين الجيش السوداني وقوات الدعم السريع برعاية سعودية أميركية، "
            "بهدف التوصل إلى هدنة إنسانية تسمح بإيصال المساعدات إلى دارفور والخرطوم.",
            "وقال مصدر مطلع إن الوفدين ناقشا آليات مراقبة وقف إطلاق النار وفتح ممرات آمنة للمدنيين العالقين.",
            "وتأتي الجولة الجديدة بعد أشهر من الجمود، وسط تحذيرات أممية من تفاقم أكبر أزمة نزوح في العالم.",
        ],
    ),
}


def _page(
    base: str, key: str, *, canonical: str | None = None, og_url: str | None = None, jsonld: str = ""
) -> str:
    _path, title, paragraphs = ARTICLES[key]
    head = [
        f'<meta property="og:title" content="{title}">',
        '<meta property="og:site_name" content="أخبار اليوم">',
    ]
    if canonical is not None:
        head.append(f'<link rel="canonical" href="{base}{canonical}">')
    if og_url is not None:
        head.append(f'<meta property="og:url" content="{base}{og_url}">')
    if not jsonld:
        head.append('<meta property="article:published_time" content="2024-10-28T10:30:00+03:00">')
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} | أخبار اليوم</title>'
        f'{"".join(head)}{jsonld}</head><body><header><nav><a href="{base}/">الرئيسية</a>'
        f'<a href="{base}/world/">العالم</a></nav></header><main><article><h1>{title}</h1>'
        f'<div class="article-body">{body}</div></article></main><footer>© أخبار اليوم</footer></body></html>'
    )


def _pruned_page(base: str) -> str:
    """A WordPress-style post whose <article> carries its tag as a class ("tag-trending") and whose readers'
    comments outweigh the body: the article reads as a "trending" teaser block and goes before trafilatura."""
    _path, title, paragraphs = ARTICLES["pruned"]
    body = "".join(
        f'<p>{paragraph} <a href="{base}/world/47000{index}-related-report">تقرير مفصل عن الأزمة السودانية</a></p>'
        for index, paragraph in enumerate(paragraphs)
    )
    comments = "".join(
        f"<p>تعليق القارئ رقم {index}: الحرب طالت كثيرا والمدنيون يدفعون الثمن في كل المدن والقرى، "
        f"ونأمل أن تنجح هذه الجولة من المفاوضات حيث فشلت الجولات السابقة كلها.</p>"
        for index in range(12)
    )
    return (
        f'<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title}</title>'
        '<meta property="article:published_time" content="2024-10-28T08:00:00+03:00"></head><body>'
        f'<div id="page"><article class="post-4700110 post type-post status-publish category-world tag-trending">'
        f'<h1 class="entry-title">{title}</h1><div class="entry-content">{body}</div></article>'
        f'<div id="comments"><h3>التعليقات</h3>{comments}</div></div></body></html>'
    )


def _routes(base: str) -> dict[str, str]:
    zero_date = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": ARTICLES["zero_date"][1],
            "datePublished": "0001-01-01T00:00:00Z",
        },
        ensure_ascii=False,
    )
    duplicate = _page(base, "duplicate", canonical=ARTICLES["duplicate"][0])
    return {
        ARTICLES["normal"][0]: _page(base, "normal", canonical=ARTICLES["normal"][0]),
        ARTICLES["root_1"][0]: _page(base, "root_1", canonical="/"),
        ARTICLES["root_2"][0]: _page(base, "root_2", canonical="/"),
        ARTICLES["og_root"][0]: _page(base, "og_root", og_url="/"),
        ARTICLES["section_1"][0]: _page(base, "section_1", canonical="/world/"),
        ARTICLES["section_2"][0]: _page(base, "section_2", canonical="/world/"),
        # a live-coverage page both name, plausible on its own: only the batch shows the slip
        ARTICLES["shared_1"][0]: _page(base, "shared_1", canonical="/world/4700199-live-coverage-of-the-war"),
        ARTICLES["shared_2"][0]: _page(base, "shared_2", canonical="/world/4700199-live-coverage-of-the-war"),
        ARTICLES["duplicate"][0]: duplicate,
        ARTICLES["zero_date"][0]: _page(
            base,
            "zero_date",
            canonical=ARTICLES["zero_date"][0],
            jsonld=f'<script type="application/ld+json">{zero_date}</script>'
            '<meta name="pubdate" content="2024-10-28T11:45:00+03:00">',
        ),
        ARTICLES["pruned"][0]: _pruned_page(base),
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    home = tmp_path_factory.mktemp("home")
    with LoopbackServer({}) as server:
        base = server.url("")
        server.routes = {path: page(html) for path, html in _routes(base).items()}
        duplicate = ARTICLES["duplicate"][0]
        urls = [base + path for key, (path, _, _) in ARTICLES.items() if key != "duplicate"]
        urls += [f"{base}{duplicate}?utm_source=newsletter", f"{base}{duplicate}?ref=homepage"]
        sites = {
            "allow_private_networks": True,
            "sites": [{"name": "akhbar_alyawm", "urls": urls, "language": "ar", "delay_seconds": 0.01}],
        }
        sites_file = home / "sites.yaml"
        sites_file.write_text(yaml.safe_dump(sites, allow_unicode=True), encoding="utf-8")
        result = run_akhbar("run", "--sites", str(sites_file), "--date", DAY, home=home)
    assert result.returncode == 0, result.stdout + result.stderr
    yield {"home": home, "base": base}


def _query(home: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(home / "published.duckdb"), read_only=True) as conn:
        return conn.sql(sql).fetchall()


def test_every_article_is_its_own_row_with_its_own_title_and_body(run):
    rows = {
        url.removeprefix(run["base"]).split("?")[0]: (title, body)
        for url, title, body in _query(run["home"], "select url, title, body_text from marts.articles")
    }
    assert set(rows) == {path for path, _, _ in ARTICLES.values()}
    assert len(_query(run["home"], "select * from marts.articles")) == len(
        ARTICLES
    )  # the duplicate is one row
    for path, title, paragraphs in ARTICLES.values():
        assert rows[path][0] == title
        for paragraph in paragraphs:
            assert paragraph in rows[path][1], (path, paragraph[:30])


def test_the_reason_for_ignoring_each_bad_canonical_is_queryable(run):
    found = {
        url.removeprefix(run["base"]).split("?")[0]: (source, reason)
        for url, source, reason in _query(
            run["home"], "select url, identity_source, canonical_ignored_reason from marts.articles"
        )
    }
    by_key = {key: found[path] for key, (path, _, _) in ARTICLES.items()}
    assert by_key["root_1"] == by_key["root_2"] == by_key["og_root"] == ("url", "canonical_is_site_root")
    assert by_key["section_1"] == by_key["section_2"] == ("url", "canonical_is_listing_page")
    assert by_key["shared_1"] == by_key["shared_2"] == ("url", "canonical_shared_by_different_articles")
    assert by_key["normal"] == by_key["duplicate"] == ("canonical_url", None)


def test_the_real_duplicate_collapses_to_the_canonical_article(run):
    duplicate = run["base"] + ARTICLES["duplicate"][0]
    rows = _query(
        run["home"],
        f"select article_id, canonical_url from marts.articles where url like '{duplicate}%'",
    )
    assert len(rows) == 1 and rows[0][1] == duplicate
    (quarantined,) = _query(
        run["home"], f"select count(*) from quarantine.articles where url like '{duplicate}%'"
    )[0]
    assert quarantined == 1  # the second copy is kept with its reason, not silently dropped


def test_a_zero_time_json_ld_date_gives_way_to_the_meta_tag_and_is_kept_as_rejected(run):
    path = ARTICLES["zero_date"][0]
    ((published_at, sources),) = _query(
        run["home"],
        "select a.published_at, r.field_sources from marts.articles a join raw.articles r using (article_id) "
        f"where a.url = '{run['base']}{path}'",
    )
    assert published_at.isoformat().startswith("2024-10-28T08:45:00")
    assert json.loads(sources)["published_at"] == "meta"
    # extraction's work rows are gone once the day is loaded: the analysts' field issues keep the value as
    # printed, with the rule and the stage that set it aside
    with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as conn:
        issues = conn.execute(
            "select i.field, i.value, i.rule, i.stage, i.source from quarantine.field_issues i "
            "join raw.articles a using (article_id) where a.url = ?",
            [run["base"] + path],
        ).fetchall()
    assert ("published_at", "0001-01-01T00:00:00Z", "date_before_1990", "extract", "jsonld") in issues


def test_each_refused_canonical_is_a_field_issue_of_its_article(run):
    with duckdb.connect(str(run["home"] / "warehouse.duckdb"), read_only=True) as conn:
        refused = conn.execute(
            "select a.url, i.rule from quarantine.field_issues i join raw.articles a using (article_id) "
            "where i.field = 'canonical_url' and i.stage = 'extract'"
        ).fetchall()
    by_path = {url.removeprefix(run["base"]): rule for url, rule in refused}
    assert by_path[ARTICLES["root_1"][0]] == by_path[ARTICLES["og_root"][0]] == "canonical_is_site_root"
    assert by_path[ARTICLES["section_1"][0]] == "canonical_is_listing_page"


def test_an_article_the_pruning_takes_is_read_from_the_whole_page(run):
    path, _, paragraphs = ARTICLES["pruned"]
    ((body, sources),) = _query(
        run["home"],
        "select a.body_text, r.field_sources from marts.articles a join raw.articles r using (article_id) "
        f"where a.url = '{run['base']}{path}'",
    )
    assert all(paragraph in body for paragraph in paragraphs)
    assert "تعليق القارئ" not in body
    assert json.loads(sources)["body_text"] == "trafilatura_whole_page"
