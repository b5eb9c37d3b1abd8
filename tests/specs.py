"""One test spec per routed resource (in the style of NetBox's `APIViewTestCases`), collected from the apps.

Each app's tests declare, in `tests/<app label>/specs.py`, a `SPECS` list with one `ResourceSpec`
per router basename it registers in `config/api_v1.py`: how to make an object (for a given owner,
or unowned), a valid create, update and replacement body, who may do what (`Access`), and the
services a PATCH/PUT or DELETE ends in. The access (BOLA/BFLA) matrix
(`tests/test_security_matrix.py`), the race matrix (`tests/test_races_patch_delete.py`) and the
mass-assignment matrix (`tests/test_security_mass_assignment.py`) are generated from the router
and these specs, so a new route is covered without being listed there, and a route without a
spec fails `test_every_routed_resource_has_one_spec` naming its basename.
"""

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any, Literal, cast

from django.apps import apps
from django.db.models import Model
from django.urls import reverse

from accounts.models import User
from config.api.registry import optional_module
from config.api_v1 import router

Role = Literal["anonymous", "user", "owner", "admin"]
Action = Literal["list", "retrieve", "create", "update", "partial_update", "destroy"]
ACTIONS: tuple[Action, ...] = ("list", "retrieve", "create", "update", "partial_update", "destroy")
METHOD: dict[Action, str] = {
    "list": "GET",
    "retrieve": "GET",
    "create": "POST",
    "update": "PUT",
    "partial_update": "PATCH",
    "destroy": "DELETE",
}
DETAIL_ACTIONS: tuple[Action, ...] = ("retrieve", "update", "partial_update", "destroy")
WRITES: tuple[Action, ...] = ("create", "update", "partial_update")
RACED: tuple[Action, ...] = ("partial_update", "destroy")
# Our apps: the project's own, not those installed from packages (Django's, DRF's, ...).
OUR_APPS = sorted(config.label for config in apps.get_app_configs() if "site-packages" not in config.path)


@dataclass(frozen=True)
class Access:
    """The status each role gets for each action on another user's object (docs/API.md, "Roles").

    Roles: `anonymous`; `user`, a signed-in regular user who does not own the object (for an
    unowned resource: any regular user); `owner`, the regular user owning it (owned resources
    only); `admin`. A 2xx means the call does what it says; anything else leaves the database
    as it was. Start from a preset and `but()` what differs.
    """

    statuses: Mapping[tuple[Role, Action], int]

    def but(self, **changes: int) -> "Access":
        """`but(owner_destroy=403)`: the same table with those cells changed."""
        statuses = dict(self.statuses)
        for key, status in changes.items():
            role, action = key.split("_", 1)
            assert (role, action) in statuses, key
            statuses[(role, action)] = status  # type: ignore[index]
        return Access(statuses)

    def status(self, role: Role, action: Action) -> int:
        return self.statuses[(role, action)]


def _table(**rows: tuple[int, int, int, int, int, int]) -> Access:
    """One row per role: list, retrieve, create, update, partial_update, destroy."""
    statuses = {
        (cast(Role, role), action): status
        for role, row in rows.items()
        for action, status in zip(ACTIONS, row, strict=True)
    }
    return Access(statuses)


# Owned rows: the owner and an admin do everything; someone else's object is absent (a 404).
OWNED = _table(
    anonymous=(401, 401, 401, 401, 401, 401),
    user=(200, 404, 201, 404, 404, 404),
    owner=(200, 200, 201, 200, 200, 204),
    admin=(200, 200, 201, 200, 200, 204),
)
PUBLIC_READ_ADMIN_WRITE = _table(
    anonymous=(200, 200, 401, 401, 401, 401),
    user=(200, 200, 403, 403, 403, 403),
    admin=(200, 200, 201, 200, 200, 204),
)
AUTHENTICATED_READ_ADMIN_WRITE = _table(
    anonymous=(401, 401, 401, 401, 401, 401),
    user=(200, 200, 403, 403, 403, 403),
    admin=(200, 200, 201, 200, 200, 204),
)
AUTHENTICATED_READ_CREATE_ADMIN_CHANGE = AUTHENTICATED_READ_ADMIN_WRITE.but(user_create=201)


def hard_deleted(obj: Model) -> bool:
    return not type(obj)._base_manager.filter(pk=obj.pk).exists()


@dataclass(frozen=True)
class ResourceSpec:
    """What the matrices need to know about one routed resource (router basename `basename`)."""

    basename: str
    # A new object owned by `owner` (an owned resource), or unowned (the argument is then unused).
    make: Callable[[User], Any]
    access: Access
    # Owned resources: who owns an object (the user `make` was given, or the object itself for a user).
    owner_of: Callable[[Any], User] | None = None
    # A valid create body for `caller` (it may make the rows it names, e.g. the caller's account).
    create_body: Callable[[User], dict[str, Any]] | None = None
    # A valid PATCH body that changes the object.
    update_body: Callable[[Any], dict[str, Any]] | None = None
    # A valid PUT body; by default the create body for the owner with the update body over it.
    replace_body: Callable[[Any], dict[str, Any]] | None = None
    # The URL arguments besides `pk` (a nested route's parent), from an object.
    url_kwargs: Callable[[Any], dict[str, Any]] = field(default=lambda obj: {})
    # The query an admin's list needs to show another user's rows (posts: `author=<id>`).
    admin_list_query: Callable[[Any], str] = field(default=lambda obj: "")
    # The services the view's perform_update / perform_destroy call, raced against each other.
    update_service: Callable[..., Any] | None = None
    delete_service: Callable[..., Any] | None = None
    is_deleted: Callable[[Any], bool] = hard_deleted
    # Further PATCH bodies to race against a DELETE, by case id (a change that is its own risk).
    race_extra_changes: Mapping[str, Callable[[Any], dict[str, Any]]] = field(default_factory=dict)
    # Read-only fields besides id, created_at, updated_at that a create body may forge.
    forged_read_only: tuple[str, ...] = ()

    @property
    def owned(self) -> bool:
        return self.owner_of is not None

    @property
    def viewset(self) -> Any:
        return ROUTED[self.basename]

    def offers(self, action: Action) -> bool:
        """The route has this action and the viewset answers its method (else a 405)."""
        viewset = self.viewset
        return hasattr(viewset, action) and METHOD[action].lower() in viewset.http_method_names

    @property
    def nested(self) -> bool:
        """Routed under a parent object (`accounts/{account_id}/messages`)."""
        return "(?P<" in PREFIXES[self.basename]

    def has_detail_route(self) -> bool:
        return any(hasattr(self.viewset, action) for action in DETAIL_ACTIONS)

    def roles(self) -> tuple[Role, ...]:
        return ("anonymous", "user", "owner", "admin") if self.owned else ("anonymous", "user", "admin")

    def list_url(self, obj: Any) -> str:
        return reverse(f"{self.basename}-list", kwargs=self.url_kwargs(obj))

    def detail_url(self, obj: Model) -> str:
        return reverse(f"{self.basename}-detail", kwargs={**self.url_kwargs(obj), "pk": obj.pk})

    def owner(self, obj: Model) -> User | None:
        return self.owner_of(obj) if self.owner_of is not None else None

    def body(self, action: Action, obj: Any, caller: User) -> dict[str, Any]:
        """The valid body of a create (for `caller`), a PUT or a PATCH of `obj`."""
        if action == "create":
            assert self.create_body is not None, f"{self.basename}: create_body"
            return self.create_body(caller)
        assert self.update_body is not None, f"{self.basename}: update_body"
        if action == "partial_update":
            return self.update_body(obj)
        assert action == "update", action
        if self.replace_body is not None:
            return self.replace_body(obj)
        assert self.create_body is not None, f"{self.basename}: replace_body or create_body"
        return {**self.create_body(self.owner(obj) or caller), **self.update_body(obj)}

    def writer(self, obj: Model, admin: User) -> User:
        """Who changes and deletes the object in a race: its owner where they may, else an admin."""
        owner = self.owner(obj)
        if owner is not None and all(
            self.access.status("owner", action) < 300 for action in RACED if self.offers(action)
        ):
            return owner
        return admin


ROUTED: dict[str, Any] = {basename: viewset for _prefix, viewset, basename in router.registry}
PREFIXES: dict[str, str] = {basename: prefix for prefix, _viewset, basename in router.registry}


def _spec_modules() -> Iterator[ModuleType]:
    for label in OUR_APPS:
        module = optional_module(f"tests.{label}.specs")
        if module is not None:
            yield module


def _collect() -> dict[str, ResourceSpec]:
    specs: dict[str, ResourceSpec] = {}
    for module in _spec_modules():
        for spec in module.SPECS:
            assert spec.basename not in specs, f"two specs for {spec.basename}"
            specs[spec.basename] = spec
    return specs


SPECS = _collect()


def specs(predicate: Callable[[ResourceSpec], bool] = lambda spec: True) -> list[ResourceSpec]:
    """The specs of routed resources, in the router's order (a spec without a route is not used)."""
    return [SPECS[basename] for basename in ROUTED if basename in SPECS and predicate(SPECS[basename])]


def module_of(function: Callable[..., Any]) -> ModuleType:
    """The module a view calls a service through (`services.x(...)`), for patching that name."""
    return import_module(function.__module__)
