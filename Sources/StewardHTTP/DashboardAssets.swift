/// The dashboard served at `/`: plain HTML, CSS and JavaScript over `/api/v1`, kept as files in
/// `Resources/` and compiled into the binary (no build step, no inline scripts or styles, so a
/// strict Content-Security-Policy holds).
enum DashboardAssets {
    /// `index.html`.
    static let html = EmbeddedResources.named["dashboard.html"]!
    /// `assets/app.js`.
    static let script = EmbeddedResources.named["dashboard.js"]!
    /// `assets/app.css`.
    static let style = EmbeddedResources.named["dashboard.css"]!
}
