"""Agency and system administration in the app (issue 21, point 5): people (`people`) and the
official definition upload (`instruments`). A package of services over tenancy, security, apitokens
and catalog, so none of those need import each other (docs/agency-administration.md)."""
