"""The REST API (django-ninja), mounted at /api/ with its OpenAPI 3.1 schema and docs at /api/docs.

Handlers are thin: they parse input with a schema, resolve records through the same selectors and
access layer as the pages, call the same services with an `AuditContext` on the `api` channel, and
shape the answer. Nothing here imports a model or the ORM (tests/test_contracts.py); what the API
itself stores (tokens, idempotency records, received events) lives in `sightline.apitokens`. See
docs/api.md.
"""
