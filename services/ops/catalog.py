"""The services `parkmatch run` knows, and which of them own a database."""
SERVICES = {
    "profiles": "services.profiles.service:ProfilesService",
    "matching": "services.matching.service:MatchingService",
    "notifications": "services.notifications.service:NotificationsService",
    "agreements": "services.agreements.service:AgreementsService",
    "accounts": "services.accounts.service:AccountsService",
    "gateway": "services.gateway.service:GatewayService",
}
STATEFUL = ("profiles", "matching", "notifications", "agreements", "accounts")
