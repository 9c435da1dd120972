//! QR codes drawn on the server as inline SVG (the two-step set-up's otpauth link), so the
//! page needs no script and no image from anywhere else. The SVG holds only the code's
//! squares: nothing of the encoded text reaches the markup.

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// `text` as an SVG element (no XML declaration), about 200 px wide with its quiet zone;
/// `None` when it is too long for a QR code.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text, EcLevel::M).ok()?;
    let image = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // The declaration is for a file; inside HTML the element starts at `<svg`.
    image.find("<svg").map(|at| image[at..].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SVG's dark squares (`M{x} {y}h{w}v{h}H{x}V{y}`) painted onto a grey image.
    fn raster(svg: &str) -> (usize, Vec<u8>) {
        let size: usize = svg.split("width=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().parse().unwrap();
        let mut pixels = vec![255u8; size * size];
        let d = svg.split(" d=\"").nth(1).and_then(|r| r.split('"').next()).unwrap();
        for rect in d.split('M').filter(|r| !r.is_empty()) {
            let nums: Vec<usize> = rect
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, w, h) = (nums[0], nums[1], nums[2], nums[3]);
            for row in y..y + h {
                pixels[row * size + x..row * size + x + w].fill(0);
            }
        }
        (size, pixels)
    }

    #[test]
    fn the_svg_decodes_to_the_link() {
        let uri =
            "otpauth://totp/Loopdesk:admin?secret=JBSWY3DPEHPK3PXP&issuer=Loopdesk&algorithm=SHA1&digits=6&period=30";
        let svg = svg(uri).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>") && !svg.contains("otpauth"));
        let (size, pixels) = raster(&svg);
        let mut img = rqrr::PreparedImage::prepare_from_greyscale(size, size, |x, y| pixels[y * size + x]);
        let grids = img.detect_grids();
        assert_eq!(grids.len(), 1);
        assert_eq!(grids[0].decode().unwrap().1, uri);
        assert!(super::svg(&"x".repeat(5000)).is_none());
    }
}
