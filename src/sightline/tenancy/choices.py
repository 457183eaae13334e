"""Agency types and people's roles: plain enums, no model, so web/ and api/ may import them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyType(models.TextChoices):
    CHILD_WELFARE = "child_welfare", _("Child welfare")
    JUVENILE_PROBATION = "juvenile_probation", _("Juvenile probation")
    BEHAVIORAL_HEALTH = "behavioral_health", _("Behavioral health")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community-based organization")
    HOTLINE = "hotline", _("Child abuse hotline")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    HEALTH_CARE = "health_care", _("Health care")
    OTHER = "other", _("Other")


class Role(models.TextChoices):
    SCREENER = "screener", _("Screener")
    SUPERVISOR = "supervisor", _("Supervisor")
    AGENCY_ADMIN = "agency_admin", _("Agency admin")
    ANALYST = "analyst", _("Analyst (aggregates only)")
    RESEARCHER = "researcher", _("Researcher (de-identified only)")
    SYSTEM_ADMIN = "system_admin", _("System admin")


class ScreenerRole(models.TextChoices):
    """The screener's professional role, recorded on each screening because scores differ with it."""

    CHILD_WELFARE_WORKER = "child_welfare_worker", _("Child welfare worker")
    PROBATION_OFFICER = "probation_officer", _("Probation officer")
    CLINICIAN = "clinician", _("Clinician")
    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    INVESTIGATOR = "investigator", _("Investigator")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    SCHOOL_STAFF = "school_staff", _("School staff")
    OTHER = "other", _("Other")
