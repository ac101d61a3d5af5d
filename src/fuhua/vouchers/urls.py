from django.urls import path

from fuhua.core.views.generic import object_urls as crud

from . import views as v

app_name = "vouchers"

urlpatterns = [
    *crud("programmes", "voucherprogramme", {"list": v.ProgrammeList, "detail": v.ProgrammeDetail,
                                             "history": v.ProgrammeHistory}),
    path("programmes/<int:pk>/budget/", v.ProgrammeBudget.as_view(), name="voucherprogramme_budget"),
    path("programmes/<int:pk>/audit/", v.ProgrammeAudit.as_view(), name="voucherprogramme_audit"),
    *crud("batches", "batch", {"list": v.BatchList, "detail": v.BatchDetail, "history": v.BatchHistory}),
    path("batches/<int:pk>/claim/", v.BatchClaim.as_view(), name="batch_claim"),
    path("batches/<int:pk>/transition/", v.BatchTransition.as_view(), name="batch_transition"),
    *crud("vouchers", "voucher", {"list": v.VoucherList, "detail": v.VoucherDetail, "history": v.VoucherHistory}),
    path("vouchers/<int:pk>/products/", v.VoucherProducts.as_view(), name="voucher_products"),
    path("vouchers/<int:pk>/order/", v.VoucherOrder.as_view(), name="voucher_order"),
    *crud("orders", "order", {"list": v.OrderList, "detail": v.OrderDetail, "history": v.OrderHistory}),
    path("orders/<int:pk>/transition/", v.OrderTransition.as_view(), name="order_transition"),
    path("orders/<int:pk>/evidence/", v.OrderEvidence.as_view(), name="order_evidence"),
    path("orders/<int:pk>/deliver/", v.OrderDeliver.as_view(), name="order_deliver"),
    path("orders/<int:pk>/rate/", v.OrderRate.as_view(), name="order_rate"),
    path("orders/<int:pk>/redeem/", v.OrderRedeem.as_view(), name="order_redeem"),
    path("orders/<int:pk>/file/", v.OrderFile.as_view(), name="order_file"),
    *crud("redemptions", "redemption", {"list": v.RedemptionList, "detail": v.RedemptionDetail,
                                        "history": v.RedemptionHistory}),
    path("redemptions/review/", v.RedemptionReview.as_view(), name="redemption_review"),
    path("redemptions/settle/", v.RedemptionSettle.as_view(), name="redemption_settle"),
    *crud("ledger", "settlemententry", {"list": v.LedgerList, "detail": v.LedgerDetail, "history": v.LedgerHistory}),
    path("ledger/<int:pk>/reverse/", v.LedgerReverse.as_view(), name="settlemententry_reverse"),
    *crud("audit-items", "audititem", {"list": v.AuditItemList}),
    path("audit-items/<int:pk>/decide/", v.AuditItemDecide.as_view(), name="audititem_decide"),
]
