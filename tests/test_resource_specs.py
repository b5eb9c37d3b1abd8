"""Every routed resource has one test spec (tests/specs.py), complete enough for the generated matrices.

The access, race and mass-assignment matrices cover exactly the resources with a spec; these tests
make a route without one (or a spec missing what its route offers) fail, naming the basename.
"""

import pytest

from tests.specs import ACTIONS, ROUTED, SPECS, ResourceSpec, specs


def test_every_routed_resource_has_one_spec():
    missing = sorted(set(ROUTED) - set(SPECS))

    assert not missing, f"routed resources without a test spec (tests/<app>/specs.py SPECS): {missing}"


def test_every_spec_names_a_routed_resource():
    assert not sorted(set(SPECS) - set(ROUTED)), "specs of router basenames that do not exist"


@pytest.mark.parametrize("spec", [pytest.param(spec, id=spec.basename) for spec in specs()])
def test_the_spec_covers_what_its_route_offers(spec: ResourceSpec):
    offered = [action for action in ACTIONS if spec.offers(action)]
    assert offered, f"{spec.basename}: the route offers no action"
    for role in spec.roles():
        for action in offered:
            assert (role, action) in spec.access.statuses, f"{spec.basename}: access for {role} {action}"
    if spec.offers("create"):
        assert spec.create_body is not None, f"{spec.basename}: create_body"
    if spec.offers("partial_update"):
        assert spec.update_body is not None, f"{spec.basename}: update_body"
        assert spec.update_service is not None, f"{spec.basename}: update_service"
    if spec.offers("update"):
        assert spec.replace_body is not None or spec.create_body is not None, f"{spec.basename}: replace_body"
    if spec.offers("destroy"):
        assert spec.delete_service is not None, f"{spec.basename}: delete_service"
    assert not spec.race_extra_changes or spec.offers("partial_update"), f"{spec.basename}: race extras need PATCH"
