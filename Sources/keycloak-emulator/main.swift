print("keycloak-emulator: not yet implemented")
