import Hummingbird

/// Routes every request itself, on the raw target, as Keycloak's JAX-RS stack would see it.
struct EmulatorResponder: HTTPResponder {
    let emulator: KeycloakEmulator

    func respond(to request: Request, context: EmulatorRequestContext) async throws -> Response {
        try await emulator.handle(request, channel: context.channel)
    }
}
