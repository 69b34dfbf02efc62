"""The dbt project, its manifest parsed again under `dagster dev` when a model changed."""

import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject, DbtProjectPreparer

DBT_PROJECT_DIR = Path(__file__).resolve().parents[3] / "dbt"
# the dbt installed beside this interpreter, so a virtualenv works without being activated
DBT_EXECUTABLE = (
    str(Path(sys.executable).with_name("dbt"))
    if Path(sys.executable).with_name("dbt").exists()
    else (shutil.which("dbt") or "dbt")
)


class ManifestPreparer(DbtProjectPreparer):
    """`dbt parse` with this environment's dbt, and under `dagster dev` only when a project file changed.

    dagster-dbt's own preparer runs the `dbt` it finds on PATH, which `make ui` does not put there, and parses
    in every process that imports the definitions: under `dagster dev` that is the code server, every run
    worker and every step process, each rewriting the manifest the others read.
    """

    def prepare_if_dev(self, project: DbtProject) -> None:
        if self.using_dagster_dev() and manifest_is_stale(project):
            self.prepare(project)

    def prepare(self, project: DbtProject) -> None:
        DbtCliResource(project_dir=project, dbt_executable=DBT_EXECUTABLE).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()


def manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than a model, test, macro or setting of the project."""
    if not project.manifest_path.exists():
        return True
    built = project.manifest_path.stat().st_mtime
    target = project.project_dir / project.target_path
    return any(
        path.stat().st_mtime > built
        for path in project.project_dir.rglob("*")
        if path.suffix in {".sql", ".yml", ".yaml"} and target not in path.parents
    )


dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_preparer = ManifestPreparer()
dbt_preparer.prepare_if_dev(dbt_project)


def warehouse_vars(warehouse: str) -> dict[str, str]:
    """dbt's `duckdb_path` var (dbt/profiles.yml) for the warehouse the DuckDB resource opens, as an absolute path:
    dbt runs in the project folder, where a relative path would name another file. A var reaches dbt's process
    and dagster-dbt's adapter alike, and leaves the environment alone."""
    return {"duckdb_path": str(Path(warehouse).resolve())}
