"""deploy/grafana and deploy/prometheus: the dashboard and the alert rules name only metrics the service exports.

The names are read from the PromQL of every dashboard target and every alert rule, and looked up
in a live `/metrics` of the test client after some requests (a histogram's `_bucket`, `_count` and
`_sum` series belong to its family). `promtool check rules` and `promtool test rules` run here when
Debian's prometheus package is installed (and always in .ci/run).
"""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

BASE_DIR = Path(__file__).resolve().parent.parent
DASHBOARD = BASE_DIR / "deploy" / "grafana" / "unified-api.json"
ALERTS = BASE_DIR / "deploy" / "prometheus" / "alerts.yml"
ALERT_TESTS = BASE_DIR / "deploy" / "prometheus" / "alerts.test.yml"

# Series Prometheus makes itself, not the service: `up` is written for every scrape target.
PROMETHEUS_OWN = frozenset({"up"})
PROMQL_KEYWORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
)
HISTOGRAM_SUFFIXES = ("_bucket", "_count", "_sum")

STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
MATCHERS = re.compile(r"\{[^}]*\}")
RANGE = re.compile(r"\[[^\]]*\]")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
IDENTIFIER = re.compile(r"(?<![\w$:.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\s*\()")


def metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are not functions, keywords or labels."""
    bare = RANGE.sub("", MATCHERS.sub("{}", STRING.sub('""', expression)))
    bare = GROUPING.sub("", bare)
    return {name for name in IDENTIFIER.findall(bare) if name not in PROMQL_KEYWORDS}


def dashboard_expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "query":  # label_values(<series selector>, <label>)
            selector = re.fullmatch(r"label_values\((.*),\s*\w+\)", variable["definition"])
            assert selector, variable["definition"]
            expressions.append(selector.group(1))
    return expressions


def alert_expressions() -> list[str]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def exported_families(text: str) -> set[str]:
    """Every series name `/metrics` declares (`# TYPE`) or shows, with a histogram's suffixed series."""
    names: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            names.add(name)
            if kind == "histogram":
                names.update(name + suffix for suffix in HISTOGRAM_SUFFIXES)
        elif line and not line.startswith("#"):
            names.add(re.split(r"[{ ]", line, maxsplit=1)[0])
    return names


@pytest.fixture
def live_metrics(api_client, user) -> set[str]:
    api_client.get("/health/")
    api_client.get("/ready/")
    api_client.get("/api/v1/products/")
    api_client.get("/api/v1/products/")  # a cached read: the cache's hit series
    api_client.force_authenticate(user)
    api_client.get("/api/v1/accounts/")
    response = api_client.get("/metrics")
    assert response.status_code == 200
    return exported_families(response.content.decode())


def test_the_parser_finds_metrics_and_skips_functions_labels_and_keywords():
    expression = (
        'histogram_quantile(0.99, sum by (view, le) (rate(a_bucket{job=~"$job", view!~"x|y"}[$__rate_interval])))'
        ' / on (job) group_left sum without (instance) (increase(b_total{status="5.."}[5m] offset 1h)) > 0.5'
        " and up == 0 or vector(0)"
    )
    assert metric_names(expression) == {"a_bucket", "b_total", "up"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("source", "expressions"), [("dashboard", dashboard_expressions), ("alert rules", alert_expressions)]
)
def test_every_metric_named_is_exported(live_metrics, source, expressions):
    named = set().union(*(metric_names(expression) for expression in expressions()))
    assert named, f"no metric found in the {source}"
    unknown = sorted(named - live_metrics - PROMETHEUS_OWN)
    assert not unknown, f"the {source} name metrics /metrics does not export: {unknown}"


def test_the_dashboard_s_panels_are_laid_out_and_query_something():
    dashboard = json.loads(DASHBOARD.read_text())
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, panel["title"]
        if panel["type"] != "row":
            assert panel["targets"], panel["title"]
            assert all(target["expr"] for target in panel["targets"]), panel["title"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool not installed (apt-get install prometheus)")
@pytest.mark.parametrize("command", [["check", "rules", ALERTS.name], ["test", "rules", ALERT_TESTS.name]])
def test_promtool_accepts_the_rules_and_their_unit_tests(command):
    done = subprocess.run(
        ["promtool", *command], cwd=ALERTS.parent, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
