from django.contrib import admin
from django.urls import path

from lab import views

urlpatterns = [
    path("", views.index),
    path("health/", views.health),
    path("cpu/", views.cpu),
    path("mem/", views.mem),
    path("db/", views.db),
    path("slow/", views.slow),
    path("cache/", views.cache),
    path("hold/", views.hold),
    path("admin/", admin.site.urls),
]
