"""Check the Kubernetes manifests in deploy/k8s/ offline (run by .ci/check-k8s).

1. Every document of every manifest validates against the Kubernetes OpenAPI schemas, strictly
   (an unknown field is an error), for the oldest and the newest Kubernetes version we support.
   kubernetes-validate ships the schemas, so nothing is downloaded.
2. Every environment variable the manifests set (ConfigMap keys, container `env` names) is listed
   in the first column of the "Environment" table of docs/OPERATIONS.md (the one table of them).
3. Secrets are references only: no Secret object is committed, the secret variables come from
   `secretKeyRef` (never a ConfigMap or a literal `value`), and `envFrom` names no Secret (its keys
   could not be checked).
4. kustomization.yaml lists every manifest of the folder, and nothing else.
5. A gunicorn container (its command, or the image's CMD when it sets none) that takes
   GUNICORN_WORKERS from a ConfigMap has a CPU limit, and the ConfigMap's value is gunicorn.conf.py's
   rule (`workers_for()`) of that limit: gunicorn's own default would count the node's CPUs, and a
   value set by hand drifts from the rule (it once said 5 for 2 CPUs).

    .venv/bin/python deploy/check_k8s.py [MANIFEST ...]   # default: deploy/k8s/*.yaml
"""

import importlib.util
import math
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = ROOT / "deploy" / "k8s"
KUSTOMIZATION = "kustomization.yaml"
ENVIRONMENT_TABLE = ROOT / "docs" / "OPERATIONS.md"
# The oldest and the newest release the manifests are meant for (both ship with kubernetes-validate).
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")
SECRET_VARIABLES = {"DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "JWT_SIGNING_KEY", "METRICS_TOKEN"}
POD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}
GUNICORN_CONF = ROOT / "gunicorn.conf.py"


def documented_variables(page: Path = ENVIRONMENT_TABLE) -> set[str]:
    """Names in backticks in the first column of the table under "## Environment"."""
    names: set[str] = set()
    in_section = False
    rows = 0
    for line in page.read_text().splitlines():
        if line.startswith("## "):
            in_section = line.strip() == "## Environment"
            continue
        if not in_section or not line.startswith("|"):
            continue
        rows += 1
        if rows <= 2:  # the header and the |---| line
            continue
        first_cell = line.split("|")[1]
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    if not names:
        raise SystemExit(f"{page.name}: no variables found in the first column of the Environment table")
    return names


def documents(path: Path) -> Iterator[dict[str, Any]]:
    for document in yaml.safe_load_all(path.read_text()):
        if document is not None:
            yield document


def containers(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if resource.get("kind") not in POD_KINDS:
        return
    pod = resource.get("spec", {}).get("template", {}).get("spec", {})
    yield from pod.get("initContainers", [])
    yield from pod.get("containers", [])


def name_of(resource: dict[str, Any]) -> str:
    return f"{resource.get('kind')}/{resource.get('metadata', {}).get('name')}"


def check_schemas(path: Path, resources: list[dict[str, Any]]) -> list[str]:
    errors = []
    for resource in resources:
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(resource, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(part) for part in error.path) or "(top level)"
                errors.append(
                    f"{path.name}: {name_of(resource)} is not valid Kubernetes {version}: {where}: {error.message}"
                )
            except kubernetes_validate.SchemaNotFoundError as error:
                errors.append(f"{path.name}: {name_of(resource)}: {error.message}")
    return errors


def check_environment(loaded: list[tuple[Path, dict[str, Any]]], documented: set[str]) -> list[str]:
    errors = []
    config_maps = {resource["metadata"]["name"] for _, resource in loaded if resource.get("kind") == "ConfigMap"}
    for path, resource in loaded:
        where = f"{path.name}: {name_of(resource)}"
        if resource.get("kind") == "Secret":
            errors.append(f"{where}: no Secret object in the repository, only references to one (docs/SCALING.md)")
        if resource.get("kind") == "ConfigMap":
            for key in resource.get("data", {}):
                if key not in documented:
                    errors.append(f"{where} sets {key}, which docs/OPERATIONS.md's Environment table does not list")
                if key in SECRET_VARIABLES:
                    errors.append(f"{where} holds {key}: a secret belongs in the Secret, by secretKeyRef")
        for container in containers(resource):
            inside = f"{where} container {container.get('name')}"
            for source in container.get("envFrom", []):
                if "secretRef" in source:
                    errors.append(f"{inside}: envFrom a Secret; reference each key with secretKeyRef so it is checked")
                referenced = source.get("configMapRef", {}).get("name")
                if referenced is not None and referenced not in config_maps:
                    errors.append(f"{inside}: envFrom ConfigMap {referenced}, which no manifest here defines")
            for variable in container.get("env", []):
                name = variable.get("name")
                if name not in documented:
                    errors.append(f"{inside} sets {name}, which docs/OPERATIONS.md's Environment table does not list")
                if name in SECRET_VARIABLES and "secretKeyRef" not in variable.get("valueFrom", {}):
                    errors.append(f"{inside} sets {name} without secretKeyRef: secrets come from the Secret only")
    return errors


def workers_rule() -> Any:
    """gunicorn.conf.py's `workers_for(cores)`, the rule's one home (the file is no module: loaded from its path)."""
    spec = importlib.util.spec_from_file_location("gunicorn_conf", GUNICORN_CONF)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.workers_for


def cpu_cores(quantity: str | int | float) -> int:
    """The cores a CPU quantity ("2", 2, "1500m") lets a pod run on at once: a part of a core counts as one."""
    text = str(quantity)
    cpus = int(text[:-1]) / 1000 if text.endswith("m") else float(text)
    return math.ceil(cpus)


def check_workers(loaded: list[tuple[Path, dict[str, Any]]], workers_for: Any) -> list[str]:
    errors = []
    config_maps = {
        resource["metadata"]["name"]: resource.get("data", {})
        for _, resource in loaded
        if resource.get("kind") == "ConfigMap"
    }
    for path, resource in loaded:
        for container in containers(resource):
            if (container.get("command") or ["gunicorn"])[0] != "gunicorn":  # the Dockerfile's CMD is gunicorn
                continue  # e.g. the migration Job: no workers
            inside = f"{path.name}: {name_of(resource)} container {container.get('name')}"
            for source in container.get("envFrom", []):
                data = config_maps.get(source.get("configMapRef", {}).get("name"), {})
                if "GUNICORN_WORKERS" not in data:
                    continue
                limit = container.get("resources", {}).get("limits", {}).get("cpu")
                if limit is None:
                    errors.append(f"{inside}: GUNICORN_WORKERS comes from a ConfigMap, but there is no CPU limit")
                    continue
                expected = workers_for(cpu_cores(limit))
                if str(data["GUNICORN_WORKERS"]) != str(expected):
                    errors.append(
                        f"{inside}: GUNICORN_WORKERS is {data['GUNICORN_WORKERS']}, but its CPU limit {limit} means "
                        f"{expected} (gunicorn.conf.py: one sync worker per core, at least 2)"
                    )
    return errors


def check_kustomization(paths: list[Path]) -> list[str]:
    kustomization = MANIFESTS / KUSTOMIZATION
    if not kustomization.exists():
        return [f"deploy/k8s/{KUSTOMIZATION} is missing"]
    listed = set(yaml.safe_load(kustomization.read_text()).get("resources", []))
    present = {path.name for path in paths}
    errors = [f"{KUSTOMIZATION}: {name} is not in deploy/k8s/" for name in sorted(listed - present)]
    errors += [f"{KUSTOMIZATION}: does not list {name}" for name in sorted(present - listed)]
    return errors


def main(arguments: list[str]) -> int:
    paths = [Path(argument) for argument in arguments] or sorted(MANIFESTS.glob("*.yaml"))
    paths = [path for path in paths if path.name != KUSTOMIZATION]
    documented = documented_variables()
    errors: list[str] = []
    loaded: list[tuple[Path, dict[str, Any]]] = []
    for path in paths:
        try:
            resources = list(documents(path))
        except yaml.YAMLError as error:
            errors.append(f"{path.name}: not YAML: {error}")
            continue
        errors += check_schemas(path, resources)
        loaded += [(path, resource) for resource in resources]
    errors += check_environment(loaded, documented)
    errors += check_workers(loaded, workers_rule())
    if not arguments:
        errors += check_kustomization(paths)
    for problem in errors:
        print(f"FAIL {problem}")
    versions = " and ".join(KUBERNETES_VERSIONS)
    if errors:
        print(f"k8s: {len(errors)} problem(s) in {len(paths)} file(s)")
        return 1
    print(
        f"k8s: {len(loaded)} resources in {len(paths)} files valid (strict) for Kubernetes {versions}; "
        f"every variable they set is in docs/OPERATIONS.md's Environment table ({len(documented)} listed); "
        "secrets by reference only; GUNICORN_WORKERS follows gunicorn.conf.py's rule of the CPU limit"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
