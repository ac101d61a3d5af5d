from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "policies"

urlpatterns = [
    *crud("policies", "policy", {"list": v.PolicyList, "detail": v.PolicyDetail, "history": v.PolicyHistory}),
    path("policies/<int:pk>/run/", v.PolicyRun.as_view(), name="policy_run"),
    path("policies/<int:pk>/pay/", v.PolicyPay.as_view(), name="policy_pay"),
    path("policies/<int:pk>/reach/", v.PolicyReach.as_view(), name="policy_reach"),
    path("policies/<int:pk>/publish/", v.PolicyPublish.as_view(), name="policy_publish"),
    path("fit/", v.MyFit.as_view(), name="my_fit"),
    path("fit/firms/<int:pk>/", v.FirmFit.as_view(), name="firm_fit"),
    path("fit/firms/<int:pk>/subscription/", v.FirmSubscribe.as_view(), name="firm_subscribe"),
    path("fit/carriers/<int:pk>/", v.CarrierFit.as_view(), name="carrier_fit"),
    path("fit/operators/<int:pk>/", v.OperatorFit.as_view(), name="operator_fit"),
    *crud("entitlements", "entitlement", {"list": v.EntitlementList, "detail": v.EntitlementDetail,
                                          "history": v.EntitlementHistory}),
    path("entitlements/<int:pk>/confirm/", v.EntitlementConfirm.as_view(), name="entitlement_confirm"),
    path("entitlements/<int:pk>/recover/", v.EntitlementRecover.as_view(), name="entitlement_recover"),
    path("entitlements/<int:pk>/feedback/", v.EntitlementFeedback.as_view(), name="entitlement_feedback"),
    *crud("ledger", "payout", {"list": v.PayoutList, "detail": v.PayoutDetail}),
    path("ledger/export.xlsx", v.PayoutExport.as_view(), name="payout_export"),
    *crud("calls", "call", {"list": v.CallList, "create": v.CallCreate, "detail": v.CallDetail,
                            "history": v.CallHistory}),
    path("calls/<int:pk>/transition/", v.CallTransition.as_view(), name="call_transition"),
    *crud("applications", "application", {"list": v.ApplicationList, "create": v.ApplicationCreate,
                                          "detail": v.ApplicationDetail, "history": v.ApplicationHistory}),
    path("applications/<int:pk>/transition/", v.ApplicationTransition.as_view(), name="application_transition"),
    path("applications/<int:pk>/attach/", v.ApplicationAttach.as_view(), name="application_attach"),
    path("applications/<int:pk>/file/", v.ApplicationFile.as_view(), name="application_file"),
    path("notifications/<int:pk>/read/", v.NotificationRead.as_view(), name="notification_read"),
]
