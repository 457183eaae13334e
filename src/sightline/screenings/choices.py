"""Screening and follow-up choices: plain enums, no model, so web/ and api/ may import them."""

from __future__ import annotations

from django.db import models


class ScreeningStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Finalized"
    VOIDED = "voided", "Voided"


class ScreeningReason(models.TextChoices):
    INTAKE = "intake", "Intake"
    RESCREEN = "rescreen", "Scheduled rescreen"
    RUNAWAY_RETURN = "runaway_return", "Return from a runaway or missing episode"
    NEW_INFORMATION = "new_information", "New information"
    OTHER = "other", "Other"


class InformationSource(models.TextChoices):
    YOUTH_CONVERSATION = "youth_conversation", "Conversation with the youth"
    OBSERVATION = "observation", "Observation"
    RECORDS = "records", "Records from other sources"
    CAREGIVER = "caregiver", "Caregiver"
    SOCIAL_WORKER = "social_worker", "Social worker"
    TEACHER = "teacher", "Teacher"
    OTHER_COLLATERAL = "other_collateral", "Other collateral"


class KnownFor(models.TextChoices):
    """How long the screener has known the youth; scores legitimately differ with it."""

    UNDER_A_DAY = "under_day", "Less than a day"
    UNDER_A_WEEK = "under_week", "A day to a week"
    UNDER_A_MONTH = "under_month", "A week to a month"
    UNDER_SIX_MONTHS = "under_6_months", "One to six months"
    UNDER_A_YEAR = "under_year", "Six months to a year"
    YEAR_OR_MORE = "year_or_more", "A year or more"


class ScreeningMode(models.TextChoices):
    FULL = "full", "Key indicators with supporting statements"
    FLUENT = "fluent", "Fluent: key indicators only"


class FollowUpKind(models.TextChoices):
    SUPERVISOR_CONSULT = "supervisor_consult", "Consult supervisor"
    REFERRAL = "referral", "Referral to specialised services"
    HOTLINE_REPORT = "hotline_report", "Report to the child abuse hotline"
    LAW_ENFORCEMENT_REPORT = "law_enforcement_report", "Report to law enforcement"
    SAFETY_PLAN = "safety_plan", "Safety plan"
    OTHER = "other", "Other"


class VersionKind(models.TextChoices):
    """What a version of a screening is: the first one, or a new version of a final one."""

    ORIGINAL = "original", "Original"
    AMENDMENT = "amendment", "Amendment"
    # Within the agency's correction window after finalizing (ADR 0007).
    CORRECTION = "correction", "Correction"


class ReviewDecision(models.TextChoices):
    REVIEWED = "reviewed", "Reviewed"
    RETURNED = "returned", "Returned to the screener"
