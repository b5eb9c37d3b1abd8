"""Static files storage that still works when `collectstatic` has not been run.

The production image collects static files at build time (hashed names, compressed copies,
served by WhiteNoise). A server started straight from a checkout has no manifest: the stock
manifest storage then raises on every `{% static %}`, so the admin login, Swagger UI and ReDoc
pages answer 500. Without a manifest this storage hands out the plain names instead, and
WhiteNoise finds those files in the apps (`WHITENOISE_USE_FINDERS`). With a manifest it is as
strict as the stock one: a file missing from it is still an error.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestOrPlainStaticFilesStorage(CompressedManifestStaticFilesStorage):
    def stored_name(self, name: str) -> str:
        if not self.hashed_files:
            return name
        return super().stored_name(name)
