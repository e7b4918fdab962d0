import Foundation
import Synchronization

/// The `Date` header value (RFC 9110 §5.6.7), formatted at most once per second.
enum HTTPDate {
    private static let cache = Mutex<(second: Int, text: String)>((0, ""))

    static var now: String {
        let seconds = Int(Date().timeIntervalSince1970)
        return cache.withLock { cache in
            if cache.second != seconds {
                cache = (seconds, format(Date(timeIntervalSince1970: TimeInterval(seconds))))
            }
            return cache.text
        }
    }

    private static func format(_ date: Date) -> String {
        var time = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let clock = String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
        return
            "\(days[Int(parts.tm_wday)]), \(String(format: "%02d", parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(Int(parts.tm_year) + 1900) \(clock) GMT"
    }
}
