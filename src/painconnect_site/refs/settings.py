"""The `references:` settings of content/site.yaml, with their defaults.

config.py validates the keys (so a typo is a `content/site.yaml:LINE: error:`
like every other setting); this module only fills in what is left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from .host import SiteConfig

DEFAULT_MAX_AGE_DAYS = 180


@dataclass(frozen=True, slots=True)
class Settings:
    contact: str | None = None  # e-mail sent to Crossref (mailto) and NCBI (email) with every request
    require_verification: bool = False  # `check` warns about entries never verified
    max_age_days: int = DEFAULT_MAX_AGE_DAYS  # `check` warns about verifications older than this

    @classmethod
    def of(cls, config: SiteConfig) -> "Settings":
        values = dict(getattr(config, "references", None) or {})
        return cls(
            contact=values.get("contact") or None,  # type: ignore[arg-type]
            require_verification=bool(values.get("require_verification", False)),
            max_age_days=int(values.get("max_age_days", DEFAULT_MAX_AGE_DAYS)),  # type: ignore[arg-type]
        )
