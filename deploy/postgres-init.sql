-- Each service owns its own database.
CREATE DATABASE profiles;
CREATE DATABASE matching;
CREATE DATABASE notifications;
CREATE DATABASE agreements;
CREATE DATABASE accounts;
