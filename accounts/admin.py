from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Account, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "is_active", "date_joined", "deleted_at"]
    list_filter = ["role", "is_active", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["-date_joined"]
    readonly_fields = ["id", "date_joined", "last_login", "deleted_at", "is_staff"]
    fieldsets = (
        (None, {"fields": ("id", "username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Access", {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("date_joined", "last_login", "deleted_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "email", "role", "password1", "password2")}),)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "balance", "currency", "active", "created_at"]
    list_filter = ["active", "currency"]
    search_fields = ["name", "description", "owner__username", "owner__email"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["id", "created_at", "updated_at"]
    date_hierarchy = "created_at"
