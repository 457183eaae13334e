"""Screening and follow-up choices: plain enums, no model, so web/ and api/ may import them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    FINAL = "final", _("Finalized")
    VOIDED = "voided", _("Voided")


class ScreeningReason(models.TextChoices):
    INTAKE = "intake", _("Intake")
    RESCREEN = "rescreen", _("Scheduled rescreen")
    RUNAWAY_RETURN = "runaway_return", _("Return from a runaway or missing episode")
    NEW_INFORMATION = "new_information", _("New information")
    OTHER = "other", _("Other")


class InformationSource(models.TextChoices):
    YOUTH_CONVERSATION = "youth_conversation", _("Conversation with the youth")
    OBSERVATION = "observation", _("Observation")
    RECORDS = "records", _("Records from other sources")
    CAREGIVER = "caregiver", _("Caregiver")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    TEACHER = "teacher", _("Teacher")
    OTHER_COLLATERAL = "other_collateral", _("Other collateral")


class KnownFor(models.TextChoices):
    """How long the screener has known the youth; scores legitimately differ with it."""

    UNDER_A_DAY = "under_day", _("Less than a day")
    UNDER_A_WEEK = "under_week", _("A day to a week")
    UNDER_A_MONTH = "under_month", _("A week to a month")
    UNDER_SIX_MONTHS = "under_6_months", _("One to six months")
    UNDER_A_YEAR = "under_year", _("Six months to a year")
    YEAR_OR_MORE = "year_or_more", _("A year or more")


class ScreeningMode(models.TextChoices):
    FULL = "full", _("Key indicators with supporting statements")
    FLUENT = "fluent", _("Fluent: key indicators only")


class FollowUpKind(models.TextChoices):
    SUPERVISOR_CONSULT = "supervisor_consult", _("Consult supervisor")
    REFERRAL = "referral", _("Referral to specialised services")
    HOTLINE_REPORT = "hotline_report", _("Report to the child abuse hotline")
    LAW_ENFORCEMENT_REPORT = "law_enforcement_report", _("Report to law enforcement")
    SAFETY_PLAN = "safety_plan", _("Safety plan")
    OTHER = "other", _("Other")


class VersionKind(models.TextChoices):
    """What a version of a screening is: the first one, or a new version of a final one."""

    ORIGINAL = "original", _("Original")
    AMENDMENT = "amendment", _("Amendment")
    # Within the agency's correction window after finalizing (ADR 0007).
    CORRECTION = "correction", _("Correction")


class ReviewDecision(models.TextChoices):
    REVIEWED = "reviewed", _("Reviewed")
    RETURNED = "returned", _("Returned to the screener")
