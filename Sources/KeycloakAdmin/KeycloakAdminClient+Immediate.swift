import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

extension KeycloakAdminClient {
    /// ``logout(realm:userID:)`` started on the calling event loop without a task, for a caller
    /// on an event loop that answers from there (the proxy's listener).
    ///
    /// It goes only when nothing has to wait: the token is cached and fresh, and an idle
    /// connection of this event loop is free. Otherwise it returns false, having sent nothing;
    /// then call ``logout(realm:userID:)``, which waits as needed. (So it does for a realm or id
    /// that is invalid: the error comes from there.)
    ///
    /// `completion` runs once, on this event loop, with the outcome; or with nil when the call
    /// must go again through ``logout(realm:userID:)``, which retries what this does not: Keycloak
    /// refused the token (401; it is dropped first), or a stale keep-alive connection lost the
    /// request. Sending a logout twice ends the same sessions.
    ///
    /// `requestID` goes on the log line this writes, which no task-local carries here.
    public func logoutNow(
        realm: String, userID: String, requestID: String?, completion: @escaping (Result<Void, KeycloakError>?) -> Void
    ) -> Bool {
        now(
            .POST, realm: realm, path: { () throws(KeycloakError) in try logoutPath(realm: realm, userID: userID) }, idempotent: true,
            requestID: requestID,
            answer: { [self] (response) throws(KeycloakError) in try checkLogout(response, realm: realm) }, completion: completion)
    }

    /// ``user(realm:id:)`` without a task, as ``logoutNow(realm:userID:requestID:completion:)`` is.
    public func userNow(
        realm: String, id: String, requestID: String?, completion: @escaping (Result<UserRepresentation, KeycloakError>?) -> Void
    ) -> Bool {
        now(
            .GET, realm: realm, path: { () throws(KeycloakError) in try userPath(realm: realm, id: id) }, requestID: requestID,
            answer: { [self] (response) throws(KeycloakError) in try user(response, realm: realm) }, completion: completion)
    }

    /// ``findUser(realm:username:)`` without a task, as ``logoutNow(realm:userID:requestID:completion:)`` is.
    public func findUserNow(
        realm: String, username: String, requestID: String?, completion: @escaping (Result<UserRepresentation?, KeycloakError>?) -> Void
    ) -> Bool {
        now(
            .GET, realm: realm, path: { () throws(KeycloakError) in try findUserPath(realm: realm, username: username) },
            requestID: requestID,
            answer: { [self] (response) throws(KeycloakError) in try foundUser(response, realm: realm, username: username) },
            completion: completion)
    }

    /// ``userSessions(realm:userID:)`` without a task, as ``logoutNow(realm:userID:requestID:completion:)`` is.
    public func userSessionsNow(
        realm: String, userID: String, requestID: String?, completion: @escaping (Result<[UserSession], KeycloakError>?) -> Void
    ) -> Bool {
        now(
            .GET, realm: realm, path: { () throws(KeycloakError) in try userSessionsPath(realm: realm, userID: userID) },
            requestID: requestID,
            answer: { [self] (response) throws(KeycloakError) in try userSessions(response, realm: realm) }, completion: completion)
    }

    /// One admin request without a task: `path` (nothing is sent if it throws), and `answer`
    /// to read Keycloak's response as the call's result.
    private func now<T>(
        _ method: HTTPMethod, realm: String, path: () throws(KeycloakError) -> String, idempotent: Bool = false, requestID: String?,
        answer: @escaping (UpstreamResponse) throws(KeycloakError) -> T, completion: @escaping (Result<T, KeycloakError>?) -> Void
    ) -> Bool {
        guard let path = try? path() else { return false }
        return authorizedNow(method, realm: realm, path: path, idempotent: idempotent, requestID: requestID) { sent in
            completion(sent.map { result in result.flatMap { response in Result { () throws(KeycloakError) in try answer(response) } } })
        }
    }

    /// ``authorized(_:realm:path:idempotent:)`` without a task: false when the token is not
    /// fresh or no idle connection of this event loop is free (nothing sent); else `completion`
    /// gets the answer on this loop, or nil for a 401 (the token dropped by then) or a stale
    /// connection's loss.
    func authorizedNow(
        _ method: HTTPMethod, realm: String, path: String, idempotent: Bool, requestID: String?,
        completion: @escaping (Result<UpstreamResponse, KeycloakError>?) -> Void
    ) -> Bool {
        guard let token = tokens.freshToken() else { return false }
        let request = UpstreamRequest(method, path: path, fieldLines: token.adminFieldLines, idempotent: idempotent)
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        return upstream.sendNow(request, timeout: settings.timeouts.request, realm: realm) { [self] answer in
            guard case .success(let response)? = answer, response.status == 401, let loop else {
                return completion(answer)
            }
            var metadata: Logger.Metadata = ["realm": "\(realm)"]
            metadata["request_id"] = requestID.map { .string($0) }
            logger.debug("admin token refused; fetching a new one and retrying once", metadata: metadata)
            let bound = NIOLoopBound(completion, eventLoop: loop)
            Task {
                await tokens.invalidate(token)
                loop.execute { bound.value(nil) }
            }
        }
    }
}
