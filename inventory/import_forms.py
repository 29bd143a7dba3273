"""The import page's upload form."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField
from wtforms.validators import DataRequired

from app.forms import BaseForm

IMPORT_KINDS = {
    "devices": _l("Devices"),
    "links": _l("Network links"),
    "offerings": _l("Offerings"),
    "sites": _l("Sites"),
    "schools": _l("Schools"),
    "loans": _l("Loans"),
}


class ImportUploadForm(BaseForm):
    """Choose what to import and upload the file (the school is for rows without one)."""

    kind = SelectField(_l("What to import"), validators=[DataRequired()])
    school = SelectField(_l("School for rows without a school number"), default="")
    file = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[FileRequired(_l("Please choose a file."))],
        render_kw={"accept": ".xlsx,.csv"},
    )

    def __init__(self, *args, kinds: list[str], schools: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(kind, IMPORT_KINDS[kind]) for kind in kinds]
        self.school.choices = [("", _l("— from the file —"))] + [
            (number, f"{number} {name}") for number, name in schools
        ]
