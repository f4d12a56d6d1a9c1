from django.urls import path

from support import views

app_name = "support"

urlpatterns = [
    path("", views.ticket_list, name="ticket_list"),
    path("contact/", views.contact, name="contact"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("<int:pk>/attachment/", views.ticket_attachment, name="ticket_attachment"),
]
