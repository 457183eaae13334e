"""PostgreSQL row-level security, the second wall behind the access layer (issue 18, point 7).

The policies are created by audit migration 0007; `middleware.AgencyContextMiddleware` tells the
database each request's agencies. See docs/security.md.
"""
