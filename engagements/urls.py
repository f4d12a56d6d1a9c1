from django.urls import path

from engagements import views

app_name = "engagements"

urlpatterns = [
    # Inquiries and their threads
    path("inquiries/new/<slug:slug>/", views.inquiry_new, name="inquiry_new"),
    path("inbox/", views.thread_list, name="inbox"),
    path("inbox/<int:pk>/", views.thread_detail, name="thread_detail"),
    path("inbox/<int:pk>/reply/", views.thread_reply, name="thread_reply"),
    path("inbox/<int:pk>/accept/", views.thread_accept, name="thread_accept"),
    path("inbox/<int:pk>/decline/", views.thread_decline, name="thread_decline"),
    path("inbox/<int:pk>/report/", views.thread_report, name="thread_report"),
    path("inbox/<int:pk>/block/", views.thread_block, name="thread_block"),
    path("inbox/blocked/", views.block_list, name="block_list"),
    path(
        "inbox/blocked/<int:company_id>/unblock/",
        views.company_unblock,
        name="company_unblock",
    ),
    # Contracts
    path("inbox/<int:pk>/contract/", views.contract_new, name="contract_new"),
    path(
        "engagements/<int:pk>/contract/",
        views.contract_new_version,
        name="contract_new_version",
    ),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/accept/", views.contract_accept, name="contract_accept"),
    path(
        "contracts/<int:pk>/decline/", views.contract_decline, name="contract_decline"
    ),
    path("contracts/<int:pk>/pdf/", views.contract_pdf, name="contract_pdf"),
    # Engagements, hours, invoices
    path("engagements/", views.engagement_list, name="engagement_list"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/end/", views.engagement_end, name="engagement_end"),
    path("engagements/<int:pk>/hours/", views.hours_new, name="hours_new"),
    path("hours/<int:pk>/approve/", views.hours_approve, name="hours_approve"),
    path("hours/<int:pk>/dispute/", views.hours_dispute, name="hours_dispute"),
    path(
        "engagements/<int:pk>/invoice/", views.invoice_request, name="invoice_request"
    ),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/pdf/", views.invoice_pdf, name="invoice_pdf"),
]
