"""The loan forms of the phone page: issue and return one number at a time (typed, from a
scanner, or a label's URL), with the loan's fields from the registry (inventory/kinds.py)."""

from app.form_rules import form_fields
from inventory.kinds import LOANS
from inventory.stocktake_forms import ScanForm

IssueLoanForm = type(
    "IssueLoanForm",
    (ScanForm,),
    form_fields(LOANS, only=("loan_number", "issued_on", "due_on", "condition_out")),
)
ReturnLoanForm = type(
    "ReturnLoanForm",
    (ScanForm,),
    form_fields(LOANS, only=("returned_on", "condition_in", "damaged")),
)
