/// How a part of the proxy went that answers without a task when it can (on the event loop
/// that read the request): answered, sent on (a completion gets the answer on that loop), or
/// in need of a task (nothing was done).
enum Immediate<Answer> {
    /// The answer, at once.
    case answered(Answer)
    /// Under way: the completion given gets the answer, on this event loop.
    case started
    /// It has to wait for something: nothing was done or recorded. Answer it in a task.
    case needsTask
}
