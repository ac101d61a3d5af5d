from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .scoping import RestrictedQuerySet, Scope


class FuhuaModel(models.Model):
    """Base of every domain model: scoped queries, timestamps; audited by signals (core.audit)."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedQuerySet.as_manager()
    scope = Scope()

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None):
        """Django checks that each foreign key's object exists with a query per key on every full_clean, even
        when the service assigned the object itself (loaded, and scoped, a moment before). Those keys are left
        out of that check; a key given as a bare id, or one with `limit_choices_to`, is checked as before. The
        database's foreign key constraint still refuses an object deleted in between."""
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if (field.many_to_one and field.name not in exclude and not field.remote_field.limit_choices_to
                    and not field.validators and field.is_cached(self)):
                related = field.get_cached_value(self)
                if (related is not None and not related._state.adding
                        and getattr(related, field.target_field.attname) == getattr(self, field.attname)):
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)


class ObjectChange(models.Model):
    """One create, update or delete of any audited object: who, when, in which request, before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    time = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # The account's id stays when the account is deleted (the row is append-only; username keeps the name).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING,
                             db_constraint=False, related_name="+")
    username = models.CharField(_("user"), max_length=150)
    request_id = models.CharField(_("request id"), max_length=64, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=16)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    append_only = True  # database triggers (core.append_only); only retention pruning deletes, by `time`
    append_only_prunable_by = "time"

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-time"], name="objectchange_object_idx")]
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[tuple[str, object, object]]:
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class PeriodicTaskState(models.Model):
    """When each periodic task (core.schedule) was last enqueued: the guard against enqueuing it twice."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("periodic task")
        verbose_name_plural = _("periodic tasks")

    def __str__(self):
        return self.name
