from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    name = "sightline.apitokens"
    label = "apitokens"
    verbose_name = "API tokens and requests"
