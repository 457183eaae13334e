"""The API fixtures, for the FHIR endpoints' tests."""

from tests.api.conftest import api_as, records

__all__ = ["api_as", "records"]
