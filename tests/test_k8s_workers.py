"""The Kubernetes pod's gunicorn workers follow gunicorn.conf.py's rule of its CPU limit.

gunicorn.conf.py's default (one sync worker per core, at least 2; docs/PERFORMANCE.md) counts the
node's CPUs in a container, so the ConfigMap sets GUNICORN_WORKERS by hand; deploy/check_k8s.py
(`.ci/check-k8s`) holds that value to the rule applied to the container's CPU limit, and
docs/SCALING.md's connection budget is written for it.
"""

from pathlib import Path

import pytest

from tests.helpers import load_check_k8s

ROOT = Path(__file__).resolve().parent.parent


check_k8s = load_check_k8s()


def _manifests() -> list[tuple[Path, dict]]:
    return [
        (path, resource)
        for path in sorted(check_k8s.MANIFESTS.glob("*.yaml"))
        if path.name != check_k8s.KUSTOMIZATION
        for resource in check_k8s.documents(path)
    ]


def _with_workers(loaded: list[tuple[Path, dict]], workers: str) -> list[tuple[Path, dict]]:
    changed = []
    for path, resource in loaded:
        if resource.get("kind") == "ConfigMap":
            resource = {**resource, "data": {**resource["data"], "GUNICORN_WORKERS": workers}}
        changed.append((path, resource))
    return changed


def test_the_configmap_sets_one_worker_per_core_of_the_pods_cpu_limit():
    assert check_k8s.check_workers(_manifests(), check_k8s.workers_rule()) == []


def test_the_pod_s_limit_of_2_cpus_means_2_workers():
    api = next(r for _, r in _manifests() if r.get("kind") == "Deployment")
    limit = api["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"]
    config = next(r for _, r in _manifests() if r.get("kind") == "ConfigMap")
    assert check_k8s.workers_rule()(check_k8s.cpu_cores(limit)) == int(config["data"]["GUNICORN_WORKERS"])


@pytest.mark.parametrize("workers", ["5", "1", "3"])
def test_a_value_off_the_rule_is_refused_naming_what_it_should_be(workers):
    errors = check_k8s.check_workers(_with_workers(_manifests(), workers), check_k8s.workers_rule())
    assert len(errors) == 1  # the API Deployment only: the migration Job runs no gunicorn
    assert f"GUNICORN_WORKERS is {workers}, but its CPU limit 2 means 2" in errors[0]


@pytest.mark.parametrize(("quantity", "cores"), [("2", 2), (2, 2), ("1", 1), ("500m", 1), ("1500m", 2), ("4000m", 4)])
def test_cpu_quantities_count_a_part_of_a_core_as_one(quantity, cores):
    assert check_k8s.cpu_cores(quantity) == cores


@pytest.mark.parametrize(("cores", "workers"), [(1, 2), (2, 2), (4, 4)])
def test_the_rule_is_one_worker_per_core_at_least_2(cores, workers):
    assert check_k8s.workers_rule()(cores) == workers
