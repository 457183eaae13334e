"""Agency types and people's roles: plain enums, no model, so web/ and api/ may import them."""

from __future__ import annotations

from django.db import models


class AgencyType(models.TextChoices):
    CHILD_WELFARE = "child_welfare", "Child welfare"
    JUVENILE_PROBATION = "juvenile_probation", "Juvenile probation"
    BEHAVIORAL_HEALTH = "behavioral_health", "Behavioral health"
    SCHOOL = "school", "School"
    COMMUNITY = "community", "Community-based organization"
    HOTLINE = "hotline", "Child abuse hotline"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    HEALTH_CARE = "health_care", "Health care"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    SCREENER = "screener", "Screener"
    SUPERVISOR = "supervisor", "Supervisor"
    AGENCY_ADMIN = "agency_admin", "Agency admin"
    ANALYST = "analyst", "Analyst (aggregates only)"
    RESEARCHER = "researcher", "Researcher (de-identified only)"
    SYSTEM_ADMIN = "system_admin", "System admin"


class ScreenerRole(models.TextChoices):
    """The screener's professional role, recorded on each screening because scores differ with it."""

    CHILD_WELFARE_WORKER = "child_welfare_worker", "Child welfare worker"
    PROBATION_OFFICER = "probation_officer", "Probation officer"
    CLINICIAN = "clinician", "Clinician"
    HOTLINE_OPERATOR = "hotline_operator", "Hotline operator"
    INVESTIGATOR = "investigator", "Investigator"
    LAW_ENFORCEMENT = "law_enforcement", "Law enforcement"
    SCHOOL_STAFF = "school_staff", "School staff"
    OTHER = "other", "Other"
