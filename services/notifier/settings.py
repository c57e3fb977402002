"""Settings of the notifier (environment prefix ``PLADECO_``)."""

from pathlib import Path

from pydantic import Field

from shared.settings import PROJECT_ROOT, LinkSecretSettings


class NotifierSettings(LinkSecretSettings):
    http_port: int = Field(8004, ge=1, le=65535)
    smtp_host: str = Field("127.0.0.1", description="SMTP server that relays notifications.")
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_username: str | None = Field(None, description="SMTP login, when the relay needs one.")
    smtp_password: str | None = Field(None, description="SMTP password (from the environment only).")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_timeout_s: float = Field(20.0, gt=0, description="Timeout of one SMTP delivery.")
    notifier_sender: str = Field("PLADECO Putre <alertas@muniputre.example>", description="From: of the e-mails.")
    notifier_message_domain: str = Field("pladeco.muniputre.example", description="Domain of the Message-IDs.")
    notifier_group_wait_s: float = Field(30.0, ge=0, description="Wait before the first notice of a new group.")
    notifier_group_interval_s: float = Field(300.0, ge=0, description="Least time between two notices to a recipient.")
    notifier_repeat_interval_s: float = Field(86400.0, gt=0, description="Re-notify alerts still firing after this long.")
    notifier_dispatch_interval_s: float = Field(1.0, gt=0, description="How often groups are formed and sent.")
    notifier_max_attempts: int = Field(8, ge=1, description="Deliveries tried before a notification is failed.")
    notifier_retry_base_s: float = Field(5.0, gt=0, description="First retry delay; doubles at each attempt.")
    notifier_routes_file: Path = Field(PROJECT_ROOT / "deploy" / "notification-routes.yaml",
                                       description="Per-recipient channels and webhooks (YAML).")
    notifier_consumer_group: str = Field("pladeco-notifier", description="Consumer group of pladeco.alerts.")
    notifier_board_url: str = Field("http://127.0.0.1:3000", description="Grafana, for the links in notifications.")
    alerts_public_url: str = Field("http://127.0.0.1:8003", description="The alert service as recipients reach it (acknowledge links).")
    alerts_link_valid_days: float = Field(
        14.0, gt=0, description="How long an acknowledge link works after its e-mail is written.",
    )
