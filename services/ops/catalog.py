"""The services `parkmatch run` knows, and which of them own a database."""
SERVICES = {
    "profiles": "services.profiles.service:ProfilesService",
    "matching": "services.matching.service:MatchingService",
    "notifications": "services.notifications.service:NotificationsService",
    "agreements": "services.agreements.service:AgreementsService",
    "accounts": "services.accounts.service:AccountsService",
    "gateway": "services.gateway.service:GatewayService",
    "web": "services.web.service:WebService",
}
STATEFUL = ("profiles", "matching", "notifications", "agreements", "accounts")
# Services that serve HTTP on an address of their own (not the gateway's
# PARKMATCH_HTTP_ADDRESS): the function that reads it from the environment.
OWN_HTTP_ADDRESS = {"web": "services.web.config:address"}
