public import Hummingbird

/// Routes every request itself, on the raw target, as Keycloak's JAX-RS stack would see it.
public struct EmulatorResponder: HTTPResponder {
    let emulator: KeycloakEmulator

    public func respond(to request: Request, context: EmulatorRequestContext) async throws -> Response {
        try await emulator.handle(request, channel: context.channel)
    }
}
