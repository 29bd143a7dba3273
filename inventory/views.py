"""Device, network link and offering pages."""

from flask import Blueprint

bp = Blueprint("inventory", __name__, template_folder="templates")
