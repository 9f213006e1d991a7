print("keycloak-mcp-proxy: not yet implemented")
