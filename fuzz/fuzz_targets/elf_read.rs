#![no_main]
//! ELF headers, sections and the interpreter of arbitrary bytes (vigie_image::elf).
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    for name in [".go.buildinfo", ".dep-v0", ".gopclntab", ".shstrtab"] {
        let _ = vigie_image::elf::section(data, name);
        let _ = vigie_image::elf::has_section(data, name);
    }
});
