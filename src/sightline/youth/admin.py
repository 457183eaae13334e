"""Intentionally empty: Youth, intakes and screenings are never registered in Django's admin.

System admins run the platform and read no identified youth data; youth records are reached only
through `sightline.youth.selectors`, which scope by the acting user's agency memberships.
"""
