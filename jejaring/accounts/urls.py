from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/", views.password_change, name="password_change"),
    path("profil/", views.profile, name="profile"),
    path("profil/token/", views.token_create, name="token_create"),
    path("profil/token/<int:token_id>/cabut/", views.token_revoke, name="token_revoke"),
    path("pengguna/", views.user_list, name="user_list"),
    path("pengguna/<int:user_id>/", views.user_detail, name="user_detail"),
    path("pengguna/<int:user_id>/reset/", views.user_reset_password, name="user_reset_password"),
    path("pengguna/<int:user_id>/aktif/", views.user_set_active, name="user_set_active"),
]
