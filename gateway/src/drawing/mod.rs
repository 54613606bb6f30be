//! Drawings of a designed beam, pure (no I/O): [`section_svg`], the dimensioned cross-section,
//! and [`mesh_stl`], a 3D mesh over the span for a CAD viewer.
//!
//! - [`layout`]: where the concrete, stirrups and bars are (the engine's detailing rules);
//! - [`svg`]: the section drawing and its conventions;
//! - [`stl`]: the binary STL mesh and its conventions.
//!
//! Both take the beam as designed (a `BeamInput` with every default applied, as protocol's
//! `BeamRecord` holds it) and the engine's [`Design`] of it.

pub mod layout;
pub mod stl;
pub mod svg;

#[cfg(test)]
mod tests;

use beam_design::{BeamInput, Design};

pub use layout::{Bar, Layout, Links};
pub use stl::Mesh;

/// `section.svg` of `input` as designed in `design`.
pub fn section_svg(input: &BeamInput, design: &Design) -> String {
    svg::section_svg(&Layout::new(input, design))
}

/// `mesh.stl` (binary) of `input` as designed in `design`.
pub fn mesh_stl(input: &BeamInput, design: &Design) -> Vec<u8> {
    Mesh::of(&Layout::new(input, design)).to_binary_stl()
}
