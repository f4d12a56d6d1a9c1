"""Where contract and invoice PDFs live: private storage, random names.

The PDFs name both parties, so they are never under MEDIA_ROOT; a view that
checks the reader is a party (``engagements.selectors``) streams them.
"""

from uuid import uuid4

from django.utils.deconstruct import deconstructible

from core.storage import PrivateFileStorage


@deconstructible(path="engagements.storage.DocumentStorage")
class DocumentStorage(PrivateFileStorage):
    subfolder = "documents"


document_storage = DocumentStorage()


def contract_pdf_upload_to(instance: object, filename: str) -> str:
    return f"contracts/{uuid4().hex}.pdf"


def invoice_pdf_upload_to(instance: object, filename: str) -> str:
    return f"invoices/{uuid4().hex}.pdf"
