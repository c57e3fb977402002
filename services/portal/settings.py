"""Settings of the citizens' portal (environment prefix ``PLADECO_``)."""

from pydantic import Field

from shared.settings import ServiceSettings


class PortalSettings(ServiceSettings):
    http_port: int = Field(8005, ge=1, le=65535)
    portal_db_role: str = Field(
        "portal_reader", pattern=r"^[a-z_][a-z0-9_]*$",
        description="Database role every portal query runs as (SET LOCAL ROLE in a read-only "
        "transaction): it may read only the public views. Production also gives the portal a login "
        "role that is a member of it alone, through PLADECO_DATABASE_URL.",
    )
    portal_indicators_url: str = Field(
        "http://127.0.0.1:8002", description="The indicator service, whose GIS layers the portal's map shows."
    )
    portal_assets_dir: str = Field(
        "var/portal/node_modules",
        description="Where deploy/install.sh put the portal's npm assets (Leaflet); relative to the project.",
    )
    portal_public_url: str = Field(
        "http://127.0.0.1:8005", description="The portal's public address, for the open-data catalogue's links."
    )
