"""The deployment files under deploy/ agree with the code they deploy.

File checks only (no network, no Docker): every YAML and JSON file parses; every metric that an
alert rule or a dashboard panel names is one `pipeline.metrics.Metrics` registers, with labels
and label values it really has; every `WIRESTREAM_*` variable is a field of
`pipeline.settings.Settings` and the values parse; ports agree between the settings, the
container, its probes, the Service and the scrape configs; each alert has `for`, a severity, a
summary and a runbook section. Renaming a metric, a label, a stage or a setting fails here, not
in production. With `promtool` on PATH, the rules and dashboard queries are also checked by
Prometheus itself and deploy/prometheus/alerts_test.yml is run; without it those are skipped.
"""

import json
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from prometheus_client.metrics import MetricWrapperBase

from agents import STAGES
from agents.errors import DEAD_LETTER_REASONS
from pipeline.metrics import LANGUAGE_LABELS, OUTCOMES, Metrics
from pipeline.settings import ENV_PREFIX, Settings
from pipeline.topics import ALL_TOPICS
from schemas import Decision, EntityType

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"
COMPOSE = DEPLOY / "docker-compose.yml"
ALERTS = PROMETHEUS / "alerts.yml"
DASHBOARD = GRAFANA / "dashboard.json"
README = DEPLOY / "README.md"
DOCKERFILE = DEPLOY / "Dockerfile"

REQUIRED_FILES = (
    DOCKERFILE,
    COMPOSE,
    README,
    ALERTS,
    DASHBOARD,
    PROMETHEUS / "prometheus.yml",
    PROMETHEUS / "prometheus-k8s.yml",
    PROMETHEUS / "alerts_test.yml",
    GRAFANA / "provisioning" / "datasources" / "prometheus.yml",
    GRAFANA / "provisioning" / "dashboards" / "wirestream.yml",
    K8S / "kustomization.yaml",
    K8S / "namespace.yaml",
    K8S / "configmap.yaml",
    K8S / "secret.example.yaml",
    K8S / "deployment.yaml",
    K8S / "service.yaml",
    K8S / "pdb.yaml",
    K8S / "hpa.yaml",
)
SCRAPE_JOB = "wirestream"
# Labels a scrape adds to every series (prometheus.yml / prometheus-k8s.yml), besides our own.
TARGET_LABELS = frozenset({"job", "instance", "namespace", "deployment"})
# Metrics Prometheus itself makes for every target.
PROMETHEUS_METRICS = frozenset({"up"})
SETTINGS_VARIABLES = frozenset(ENV_PREFIX + f.name.upper() for f in fields(Settings))
PLACEHOLDER = "CHANGE-ME"

# Values each bounded label may take, from the code that sets them.
KNOWN_LABEL_VALUES: dict[str, frozenset[str]] = {
    "stage": frozenset(stage.name for stage in STAGES),
    "outcome": frozenset(OUTCOMES),
    "reason": frozenset(DEAD_LETTER_REASONS),
    "decision": frozenset(get_args(Decision)),
    "type": frozenset(get_args(EntityType)),
    "language": LANGUAGE_LABELS | {"other"},
    "topic": frozenset(ALL_TOPICS),
    "job": frozenset({SCRAPE_JOB}),
}


# --- loading ---------------------------------------------------------------------------------


def yaml_files() -> list[Path]:
    return sorted(p for p in DEPLOY.rglob("*") if p.suffix in {".yml", ".yaml"})


def load_documents(path: Path) -> list[dict[str, Any]]:
    documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    for document in documents:
        assert isinstance(document, dict), f"{path}: a document is not a mapping"
    return documents


def load_one(path: Path) -> dict[str, Any]:
    documents = load_documents(path)
    assert len(documents) == 1, f"{path}: expected one document, got {len(documents)}"
    return documents[0]


def k8s_objects() -> dict[tuple[str, str], dict[str, Any]]:
    """(kind, name) → object, over every manifest under deploy/k8s/ except kustomization.yaml."""
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in load_documents(path):
            key = (document["kind"], document["metadata"]["name"])
            assert key not in objects, f"{key} defined twice"
            objects[key] = document
    return objects


def k8s_object(kind: str) -> dict[str, Any]:
    matches = [obj for (k, _), obj in k8s_objects().items() if k == kind]
    assert len(matches) == 1, f"expected one {kind} under deploy/k8s, got {len(matches)}"
    return matches[0]


def alert_rules() -> list[dict[str, Any]]:
    groups = load_one(ALERTS)["groups"]
    return [rule for group in groups for rule in group["rules"]]


def dashboard() -> dict[str, Any]:
    loaded = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def dashboard_panels() -> list[dict[str, Any]]:
    panels: list[dict[str, Any]] = []
    for panel in dashboard()["panels"]:
        panels.append(panel)
        panels.extend(panel.get("panels", []))  # panels inside a collapsed row
    return panels


def dashboard_expressions() -> list[tuple[str, str]]:
    """(panel title, PromQL) for every query target of every panel."""
    return [
        (panel["title"], target["expr"])
        for panel in dashboard_panels()
        for target in panel.get("targets", [])
    ]


def compose_services() -> dict[str, dict[str, Any]]:
    services = load_one(COMPOSE)["services"]
    assert isinstance(services, dict)
    return services


def compose_workers() -> dict[str, dict[str, Any]]:
    """Services started by `docker compose up` that run `wirestream worker`."""
    return {
        name: service
        for name, service in compose_services().items()
        if service.get("command") == ["worker"] and not service.get("profiles")
    }


def service_environment(service: Mapping[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {str(key): str(value) for key, value in environment.items()}


def wirestream_variables(environment: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if k.startswith(ENV_PREFIX)}


# --- the exported metrics --------------------------------------------------------------------


@cache
def exported_families() -> dict[str, dict[str, frozenset[str]]]:
    """Metric family → {sample name → its label names}, as Prometheus would scrape them from a
    fresh `Metrics()`.

    A labelled metric has no samples until a label set is used, so one is created for each
    (prometheus_client has no public accessor for a metric's label names). Counters appear as
    `<name>_total`, histograms as `_bucket` (with `le`) / `_sum` / `_count`.
    """
    metrics = Metrics()
    for collector in vars(metrics).values():
        if isinstance(collector, MetricWrapperBase) and collector._labelnames:
            collector.labels(*("x" for _ in collector._labelnames))
    families: dict[str, dict[str, frozenset[str]]] = {}
    for family in metrics.registry.collect():
        samples: dict[str, set[str]] = {}
        for sample in family.samples:
            samples.setdefault(sample.name, set()).update(sample.labels)
        families[family.name] = {name: frozenset(labels) for name, labels in samples.items()}
    return families


@cache
def exported_samples() -> dict[str, frozenset[str]]:
    """Sample name → its label names."""
    return {
        name: labels for samples in exported_families().values() for name, labels in samples.items()
    }


def known_metric(name: str) -> bool:
    return name in exported_samples() or name in PROMETHEUS_METRICS


def labels_of(metric: str) -> frozenset[str]:
    return exported_samples().get(metric, frozenset()) | TARGET_LABELS


# --- a small PromQL reader: names, selectors, grouping labels ----------------------------------

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"' + r"|'(?:[^'\\]|\\.)*'")
_SELECTOR = re.compile(r"([A-Za-z_:][\w:]*)?\s*\{([^{}]*)\}")
_MATCHER = re.compile(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)")
_VARIABLE = re.compile(r"\$\{?\w+\}?")
_IDENTIFIER = re.compile(r"(?<![\w.:$])([A-Za-z_:][\w:]*)(\s*\()?")
_KEYWORDS = frozenset(
    "and or unless bool offset by without on ignoring group_left group_right inf nan".split()
)
_WORDS = re.compile(r"^\w+(?:\|\w+)*$")


def metric_names(expr: str) -> set[str]:
    """Every metric name in a PromQL expression (function names and keywords are not)."""
    text = _STRING.sub('""', expr)
    text = re.sub(r"\{[^{}]*\}", " ", text)
    text = _RANGE.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    text = _VARIABLE.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name, call = match.group(1), match.group(2)
        if call is None and name.lower() not in _KEYWORDS:
            names.add(name)
    return names


def selectors(expr: str) -> Iterator[tuple[str | None, list[tuple[str, str, str]]]]:
    """(metric name or None, [(label, operator, value)]) for every `{…}` selector."""
    for match in _SELECTOR.finditer(expr):
        yield match.group(1), _MATCHER.findall(match.group(2))


def grouping_labels(expr: str) -> set[str]:
    return {
        label.strip()
        for match in _GROUPING.finditer(_STRING.sub('""', expr))
        for label in match.group(1).split(",")
        if label.strip()
    }


def problems(expr: str) -> list[str]:
    """Everything in `expr` that does not match what the workers export."""
    found: list[str] = []
    names = metric_names(expr)
    if not names:
        found.append("names no metric")
    found += [f"unknown metric {name}" for name in sorted(names) if not known_metric(name)]
    for metric, matchers in selectors(expr):
        for label, operator, value in matchers:
            if metric is not None and label not in labels_of(metric):
                found.append(f"{metric} has no label {label}")
            allowed = KNOWN_LABEL_VALUES.get(label)
            if allowed is None or operator not in {"=", "=~"} or "$" in value:
                continue
            if operator == "=~" and not _WORDS.match(value):
                continue
            found += [
                f"{label}={part!r} is never exported"
                for part in value.split("|")
                if part not in allowed
            ]
    known_labels = frozenset().union(*(labels_of(name) for name in names)) if names else frozenset()
    found += [
        f"grouping by unknown label {label}"
        for label in sorted(grouping_labels(expr))
        if label not in known_labels
    ]
    return found


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REQUIRED_FILES, ids=lambda p: str(p.relative_to(DEPLOY)))
def test_required_file_exists(path: Path) -> None:
    assert path.is_file()


def test_yaml_files_are_found() -> None:
    found = set(yaml_files())
    assert {p for p in REQUIRED_FILES if p.suffix in {".yml", ".yaml"}} <= found


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(DEPLOY)))
def test_yaml_file_parses(path: Path) -> None:
    assert load_documents(path), f"{path} holds no document"


# --- the PromQL reader itself: the checks below are only as good as it is --------------------


def test_reader_finds_metric_names() -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, stage) (rate(a_bucket{stage="parse"}[5m])))'
        ' / on (stage) group_left sum(rate(b_total{x=~"$v"}[$__rate_interval] offset 1h)) > 1e3'
        " and absent(up == 1)"
    )
    assert metric_names(expr) == {"a_bucket", "b_total", "up"}
    assert grouping_labels(expr) == {"le", "stage"}


def test_reader_rejects_unknown_names_labels_and_values() -> None:
    assert problems("sum(rate(wirestream_articles_total[5m]))") == []
    assert "unknown metric wirestream_bogus_total" in problems("rate(wirestream_bogus_total[5m])")
    assert "unknown metric process_cpu_seconds_total" in problems(
        "rate(process_cpu_seconds_total[5m])"
    )
    assert "wirestream_articles_total has no label step" in problems(
        'wirestream_articles_total{step="parse"}'
    )
    assert "stage='parsing' is never exported" in problems(
        'wirestream_articles_total{stage="parsing"}'
    )
    assert "outcome='failed' is never exported" in problems(
        'wirestream_articles_total{outcome=~"ok|failed"}'
    )
    assert "grouping by unknown label step" in problems(
        "sum by (step) (rate(wirestream_articles_total[5m]))"
    )


def test_exported_samples_follow_prometheus_naming() -> None:
    samples = exported_samples()
    assert "wirestream_articles_total" in samples
    assert "wirestream_ingest_to_enriched_seconds_bucket" in samples
    assert "le" in samples["wirestream_stage_duration_seconds_bucket"]
    assert {"stage", "outcome"} <= samples["wirestream_articles_total"]


# --- alert rules -----------------------------------------------------------------------------


def test_alert_rules_exist_and_have_unique_names() -> None:
    names = [rule["alert"] for rule in alert_rules()]
    assert len(names) >= 7
    assert len(names) == len(set(names))


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_rule_is_complete(rule: dict[str, Any]) -> None:
    assert re.fullmatch(r"(\d+(ms|[smhdwy]))+", str(rule.get("for", ""))), "needs `for`"
    assert rule["labels"]["severity"] in {"critical", "warning"}
    annotations = rule["annotations"]
    assert annotations["summary"].strip()
    assert annotations["description"].strip()
    anchor = f"deploy/README.md#{rule['alert'].lower()}"
    assert annotations["runbook_url"] == anchor
    runbook_headings = re.findall(r"^### (\w+)$", README.read_text(encoding="utf-8"), re.M)
    assert rule["alert"] in runbook_headings, "no runbook section in deploy/README.md"


@pytest.mark.parametrize("rule", alert_rules(), ids=lambda rule: rule["alert"])
def test_alert_expression_uses_exported_metrics(rule: dict[str, Any]) -> None:
    assert problems(rule["expr"]) == []


def test_alerts_select_the_scrape_job() -> None:
    jobs = {
        value
        for rule in alert_rules()
        for _, matchers in selectors(rule["expr"])
        for label, _, value in matchers
        if label == "job"
    }
    assert jobs == {SCRAPE_JOB}
    for config in ("prometheus.yml", "prometheus-k8s.yml"):
        scrape = load_one(PROMETHEUS / config)
        assert SCRAPE_JOB in {job["job_name"] for job in scrape["scrape_configs"]}
        assert scrape["rule_files"] == ["alerts.yml"]


# --- dashboard -------------------------------------------------------------------------------


def test_dashboard_is_a_grafana_dashboard() -> None:
    board = dashboard()
    assert board["uid"] and board["title"] and board["schemaVersion"] >= 36
    panels = dashboard_panels()
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    variables = {variable["name"] for variable in board["templating"]["list"]}
    assert "datasource" in variables
    for panel in panels:
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], f"panel {panel['title']!r} has no query"
        for target in panel["targets"]:
            assert target["refId"] and target["expr"].strip()


@pytest.mark.parametrize(
    ("title", "expr"), dashboard_expressions(), ids=[t for t, _ in dashboard_expressions()]
)
def test_dashboard_query_uses_exported_metrics(title: str, expr: str) -> None:
    assert problems(expr) == [], title


def test_dashboard_variables_use_known_metrics() -> None:
    for variable in dashboard()["templating"]["list"]:
        if variable["type"] != "query":
            continue
        query = variable["query"]
        text = query["query"] if isinstance(query, dict) else query
        match = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", text)
        assert match, f"unexpected variable query {text!r}"
        assert problems(match.group(1)) == []
        assert match.group(2) in labels_of(next(iter(metric_names(match.group(1)))))


def test_dashboard_shows_every_exported_metric() -> None:
    shown = {name for _, expr in dashboard_expressions() for name in metric_names(expr)}
    missing = {
        family for family, samples in exported_families().items() if not shown & samples.keys()
    }
    assert not missing, f"metrics without a panel: {sorted(missing)}"


# --- settings: compose, ConfigMap, Secret, Dockerfile, anywhere else ---------------------------


def test_every_wirestream_variable_named_in_deploy_is_a_setting() -> None:
    seen: set[str] = set()
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        try:
            text = path.read_text("utf-8")
        except UnicodeDecodeError:
            continue
        # A name ending in "_" is a pattern in prose (WIRESTREAM_MODERATION_*_THRESHOLD).
        for name in re.findall(r"\bWIRESTREAM_[A-Z0-9_]*[A-Z0-9]\b", text):
            seen.add(name)
            assert name in SETTINGS_VARIABLES, f"{path.relative_to(ROOT)}: {name}"
    assert {"WIRESTREAM_BROKER", "WIRESTREAM_SASL_PASSWORD", "WIRESTREAM_WEB_PORT"} <= seen


def test_compose_worker_settings_are_valid() -> None:
    workers = compose_workers()
    assert len(workers) >= 2
    for name, service in compose_services().items():
        environment = wirestream_variables(service_environment(service))
        assert set(environment) <= SETTINGS_VARIABLES, name
    for name, service in workers.items():
        settings = Settings.from_env(wirestream_variables(service_environment(service)))
        assert settings.web_bind == "0.0.0.0", name
        assert settings.replication == 3, name
        assert settings.partitions >= len(workers), name
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (COMPOSE.parent / service["build"]["context"]).resolve() == ROOT


def test_compose_kafka_is_a_three_node_kraft_cluster() -> None:
    brokers = {
        name: service_environment(service)
        for name, service in compose_services().items()
        if str(service.get("image", "")).startswith("apache/kafka:")
    }
    assert len(brokers) == 3
    node_ids = {env["KAFKA_NODE_ID"]: name for name, env in brokers.items()}
    internal: list[str] = []
    for env in brokers.values():
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller"
        voters = dict(v.split("@") for v in env["KAFKA_CONTROLLER_QUORUM_VOTERS"].split(","))
        assert {node: address.split(":")[0] for node, address in voters.items()} == node_ids
        assert env["KAFKA_DEFAULT_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR"] == "3"
        assert env["KAFKA_MIN_INSYNC_REPLICAS"] == "2"
        listeners = dict(item.split("://") for item in env["KAFKA_ADVERTISED_LISTENERS"].split(","))
        internal.append(listeners[env["KAFKA_INTER_BROKER_LISTENER_NAME"]])
    assert len({env["CLUSTER_ID"] for env in brokers.values()}) == 1
    for name, service in compose_workers().items():
        settings = Settings.from_env(wirestream_variables(service_environment(service)))
        assert sorted(settings.bootstrap_servers) == sorted(internal), name


def test_compose_prometheus_scrapes_every_worker() -> None:
    scrape = load_one(PROMETHEUS / "prometheus.yml")
    (job,) = [job for job in scrape["scrape_configs"] if job["job_name"] == SCRAPE_JOB]
    targets = {target for static in job["static_configs"] for target in static["targets"]}
    expected = set()
    for name, service in compose_workers().items():
        port = Settings.from_env(wirestream_variables(service_environment(service))).web_port
        expected.add(f"{service.get('hostname', name)}:{port}")
    assert targets == expected
    volumes = compose_services()["prometheus"]["volumes"]
    for file in ("prometheus.yml", "alerts.yml"):
        assert any(v.startswith(f"./prometheus/{file}:/etc/prometheus/{file}") for v in volumes)


def test_grafana_provisioning_matches_compose() -> None:
    grafana = compose_services()["grafana"]
    mounts = dict(v.split(":")[:2] for v in grafana["volumes"])
    assert mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"
    dashboard_mount = Path(mounts["./grafana/dashboard.json"])
    provider = load_one(GRAFANA / "provisioning" / "dashboards" / "wirestream.yml")
    (entry,) = provider["providers"]
    assert Path(entry["options"]["path"]) == dashboard_mount.parent
    datasources = load_one(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus"
    assert source["url"] == "http://prometheus:9090"
    assert "prometheus" in compose_services()


def test_configmap_and_secret_are_settings() -> None:
    config = k8s_object("ConfigMap")["data"]
    secrets = [obj for (kind, _), obj in k8s_objects().items() if kind == "Secret"]
    credentials = [
        s["stringData"] for s in secrets if any(k in SETTINGS_VARIABLES for k in s["stringData"])
    ]
    assert set(config) <= SETTINGS_VARIABLES
    assert len(credentials) == 1
    assert set(credentials[0]) <= SETTINGS_VARIABLES
    assert {"WIRESTREAM_SASL_USERNAME", "WIRESTREAM_SASL_PASSWORD"} <= set(credentials[0])
    assert not {"WIRESTREAM_SASL_USERNAME", "WIRESTREAM_SASL_PASSWORD"} & set(config)
    for secret in secrets:
        for key, value in secret["stringData"].items():
            assert PLACEHOLDER in value, f"secret template value {key} is not a placeholder"
    settings = Settings.from_env({**config, **credentials[0]})
    assert settings.security_protocol == "SASL_SSL"
    assert settings.replication == 3
    assert settings.web_bind == "0.0.0.0"
    assert settings.ssl_cafile


def test_deployment_agrees_with_its_settings() -> None:
    deployment = k8s_object("Deployment")
    pod = deployment["spec"]["template"]
    (container,) = pod["spec"]["containers"]
    objects = k8s_objects()
    environment: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            environment |= objects["ConfigMap", source["configMapRef"]["name"]]["data"]
        if "secretRef" in source:
            environment |= objects["Secret", source["secretRef"]["name"]]["stringData"]
    environment |= {e["name"]: e["value"] for e in container.get("env", []) if "value" in e}
    settings = Settings.from_env(wirestream_variables(environment))

    (port,) = container["ports"]
    assert port["containerPort"] == settings.web_port
    # Ready = partitions assigned (/health); alive = the event loop answers (/live), so a
    # rebalance never gets a pod restarted.
    for probe, path in (("readinessProbe", "/health"), ("livenessProbe", "/live")):
        check = container[probe]["httpGet"]
        assert check["path"] == path
        assert check["port"] in {port["name"], settings.web_port}
    assert container["livenessProbe"]["initialDelaySeconds"] >= 30
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert int(annotations["prometheus.io/port"]) == settings.web_port
    assert annotations["prometheus.io/path"] == "/metrics"
    assert pod["spec"]["terminationGracePeriodSeconds"] > 0
    assert container["resources"]["limits"]["memory"]

    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    ca_dir = str(Path(settings.ssl_cafile).parent)
    assert ca_dir in mounts, "WIRESTREAM_SSL_CAFILE is not on a mounted volume"
    ca_secret = volumes[mounts[ca_dir]]["secret"]["secretName"]
    assert Path(settings.ssl_cafile).name in objects["Secret", ca_secret]["stringData"]

    service = k8s_object("Service")
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] in {port["name"], settings.web_port}
    labels = pod["metadata"]["labels"]
    for selector in (
        service["spec"]["selector"],
        deployment["spec"]["selector"]["matchLabels"],
        k8s_object("PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
    ):
        assert selector.items() <= labels.items()
    hpa = k8s_object("HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert hpa["spec"]["maxReplicas"] <= settings.partitions, "more workers than partitions"


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    kustomization = load_one(K8S / "kustomization.yaml")
    listed = set(kustomization["resources"])
    manifests = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == manifests - {"secret.example.yaml"}
    images = {image["name"] for image in kustomization["images"]}
    (container,) = k8s_object("Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["image"].split(":")[0] in images


def test_dockerfile_runs_the_worker_as_a_non_root_user() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.M)
    assert re.search(r"^RUN pip install \.", text, re.M)
    assert re.search(r'^ENTRYPOINT \["wirestream"\]$', text, re.M)
    assert re.search(r'^CMD \["worker"\]$', text, re.M)
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert "/health" in text.split("HEALTHCHECK", 1)[1]
    assert "LANG=C.UTF-8" in text and "en_US.UTF-8" in text and "locale-gen" in text
    (exposed,) = re.findall(r"^EXPOSE (\d+)$", text, re.M)
    assert int(exposed) == Settings().web_port
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert "wirestream" in scripts


# --- Prometheus' own checks, where promtool is installed ---------------------------------------

PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed")


def promtool(*args: str, cwd: Path) -> None:
    assert PROMTOOL is not None
    result = subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_promtool_accepts_rules_and_compose_config() -> None:
    promtool("check", "rules", "alerts.yml", cwd=PROMETHEUS)
    promtool("check", "config", "prometheus.yml", cwd=PROMETHEUS)


@needs_promtool
def test_promtool_alert_unit_tests_pass(tmp_path: Path) -> None:
    # promtool compares annotations verbatim; alerts_test.yml states labels only.
    rules = load_one(ALERTS)
    for group in rules["groups"]:
        for rule in group["rules"]:
            rule.pop("annotations", None)
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(rules), encoding="utf-8")
    shutil.copy(PROMETHEUS / "alerts_test.yml", tmp_path / "alerts_test.yml")
    promtool("test", "rules", "alerts_test.yml", cwd=tmp_path)


@needs_promtool
def test_promtool_parses_every_dashboard_query(tmp_path: Path) -> None:
    substitutions = {"$__rate_interval": "5m", "$instance": ".*"}
    rules = []
    for i, (_, expr) in enumerate(dashboard_expressions()):
        for variable, value in substitutions.items():
            expr = expr.replace(variable, value)
        rules.append({"record": f"dashboard:query_{i}", "expr": expr})
    document = {"groups": [{"name": "dashboard", "rules": rules}]}
    (tmp_path / "dashboard.yml").write_text(yaml.safe_dump(document), encoding="utf-8")
    promtool("check", "rules", "dashboard.yml", cwd=tmp_path)
