import os

from .base import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["app.example.com", ".tenants.example.com"]
SECRET_KEY = "k3$9vq!x7m@2wz#p8r^t5n&c1b*e4h0j6l-dfgsyua=o"

DATABASES = {
    "default": {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": os.environ["DB_NAME"],
        "USER": os.environ["DB_USER"],
        "PASSWORD": os.environ["DB_PASSWORD"],
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}
