"""Authentication and hardening: sign-in throttling, two-factor (TOTP), password rules, session limits
and the security headers every response carries (issue 18, points 1, 6 and 8)."""
