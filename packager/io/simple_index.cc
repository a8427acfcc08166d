#include "io/simple_index.h"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

#include "base/strings.h"
#include "io/url.h"

namespace funcpack {
namespace {

bool is_known_hash(std::string_view algo) {
  return algo == "md5" || algo == "sha1" || algo == "sha224" || algo == "sha256" ||
         algo == "sha384" || algo == "sha512" || algo == "blake2b";
}

bool is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_ascii_digit(c) && !(ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f')) return false;
  return true;
}

// HTML numeric references to NUL, surrogates or beyond Unicode become U+FFFD (the HTML
// spec's replacement), then UTF-8.
void append_html_code_point(std::string& out, unsigned long cp) {
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  append_utf8(out, static_cast<uint32_t>(cp));
}

// "sha256=HEX" -> {"sha256": "hex"}; nullopt when not of that form.
std::optional<std::pair<std::string, std::string>> parse_hash_pair(std::string_view s) {
  size_t eq = s.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  std::string algo = to_lower(s.substr(0, eq));
  std::string_view value = s.substr(eq + 1);
  if (!is_known_hash(algo) || !is_hex(value)) return std::nullopt;
  return std::make_pair(algo, to_lower(value));
}

// data-core-metadata / data-dist-info-metadata value -> hashes, or nullopt for "no file".
std::optional<std::map<std::string, std::string>> parse_metadata_attr(std::string_view v) {
  v = trim(v);
  if (iequals(v, "true")) return std::map<std::string, std::string>{};
  if (auto h = parse_hash_pair(v)) return std::map<std::string, std::string>{*h};
  return std::nullopt;
}

struct Tag {
  std::string name;  // lowercase
  bool closing = false;
  std::map<std::string, std::string> attrs;  // lowercase names, unescaped values; first wins
};

class HtmlScanner {
 public:
  explicit HtmlScanner(std::string_view s) : s_(s) {}

  // Advances to the next tag; returns false at the end. Text between tags is skipped, but its
  // start is remembered for anchor text.
  bool next(Tag& tag) {
    for (;;) {
      size_t lt = s_.find('<', pos_);
      if (lt == std::string_view::npos) return false;
      pos_ = lt + 1;
      if (s_.substr(pos_).starts_with("!--")) {
        size_t end = s_.find("-->", pos_ + 3);
        pos_ = end == std::string_view::npos ? s_.size() : end + 3;
        continue;
      }
      if (pos_ < s_.size() && (s_[pos_] == '!' || s_[pos_] == '?')) {
        size_t gt = s_.find('>', pos_);
        pos_ = gt == std::string_view::npos ? s_.size() : gt + 1;
        continue;
      }
      tag = Tag{};
      if (pos_ < s_.size() && s_[pos_] == '/') {
        tag.closing = true;
        ++pos_;
      }
      size_t start = pos_;
      while (pos_ < s_.size() && is_ascii_alnum(s_[pos_])) ++pos_;
      if (pos_ == start) continue;  // "<" followed by something that is not a tag name
      tag.name = to_lower(s_.substr(start, pos_ - start));
      read_attrs(tag);
      return true;
    }
  }

  // The raw text from the current position to the next "</a" (case-insensitive).
  std::string_view text_until_close_a() {
    size_t p = pos_;
    while (p < s_.size()) {
      size_t lt = s_.find('<', p);
      if (lt == std::string_view::npos) return s_.substr(pos_);
      if (lt + 2 < s_.size() && s_[lt + 1] == '/' && ascii_lower(s_[lt + 2]) == 'a')
        return s_.substr(pos_, lt - pos_);
      p = lt + 1;
    }
    return s_.substr(pos_);
  }

 private:
  void skip_space() {
    while (pos_ < s_.size() && is_ascii_space(s_[pos_])) ++pos_;
  }

  void read_attrs(Tag& tag) {
    for (;;) {
      skip_space();
      if (pos_ >= s_.size()) return;
      char c = s_[pos_];
      if (c == '>') {
        ++pos_;
        return;
      }
      if (c == '/') {
        ++pos_;
        continue;
      }
      size_t start = pos_;
      while (pos_ < s_.size() && !is_ascii_space(s_[pos_]) && s_[pos_] != '=' &&
             s_[pos_] != '>' && s_[pos_] != '/')
        ++pos_;
      if (pos_ == start) {  // a stray '=': skip it
        ++pos_;
        continue;
      }
      std::string name = to_lower(s_.substr(start, pos_ - start));
      skip_space();
      std::string value;
      if (pos_ < s_.size() && s_[pos_] == '=') {
        ++pos_;
        skip_space();
        if (pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\'')) {
          char q = s_[pos_++];
          size_t end = s_.find(q, pos_);
          if (end == std::string_view::npos) end = s_.size();
          value = html_unescape(s_.substr(pos_, end - pos_));
          pos_ = end == s_.size() ? end : end + 1;
        } else {
          size_t vstart = pos_;
          while (pos_ < s_.size() && !is_ascii_space(s_[pos_]) && s_[pos_] != '>') ++pos_;
          value = html_unescape(s_.substr(vstart, pos_ - vstart));
        }
      }
      tag.attrs.emplace(std::move(name), std::move(value));
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

// Splits the "#algo=hex" fragment off an absolute URL.
void set_url_and_hash(DistributionFile& f, const std::string& absolute) {
  std::optional<UrlParts> parts = parse_url(absolute);
  if (parts && parts->fragment) {
    for (std::string_view piece : split(*parts->fragment, '&'))
      if (auto h = parse_hash_pair(piece)) f.hashes.insert(*h);
  }
  f.url = strip_credentials(absolute);
}

std::string json_error(std::string_view page_url, std::string_view reason) {
  return redact_url(page_url) + ": invalid PEP 691 JSON: " + std::string(reason);
}

std::map<std::string, std::string> json_hashes(const nlohmann::json& j) {
  std::map<std::string, std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string()) continue;
    std::string algo = to_lower(it.key());
    std::string value = to_lower(it.value().get<std::string>());
    if (is_known_hash(algo) && is_hex(value)) out[algo] = value;
  }
  return out;
}

}  // namespace

std::string html_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    size_t semi = text.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out += '&';
      continue;
    }
    std::string_view ent = text.substr(i + 1, semi - i - 1);
    if (!ent.empty() && ent[0] == '#') {
      unsigned long cp = 0;
      bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
      std::string_view digits = ent.substr(hex ? 2 : 1);
      bool ok = !digits.empty();
      for (char c : digits) {
        int d = -1;
        if (is_ascii_digit(c)) d = c - '0';
        else if (hex && ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f') d = ascii_lower(c) - 'a' + 10;
        if (d < 0) {
          ok = false;
          break;
        }
        cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(d);
        if (cp > 0x10FFFF) cp = 0x110000;  // clamp: stays invalid, avoids overflow
      }
      if (ok) {
        append_html_code_point(out, cp);
        i = semi;
        continue;
      }
      out += '&';
      continue;
    }
    static const std::pair<std::string_view, std::string_view> kNamed[] = {
        {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"}};
    bool found = false;
    for (const auto& [name, value] : kNamed) {
      if (ent == name) {
        out += value;
        i = semi;
        found = true;
        break;
      }
    }
    if (!found) out += '&';
  }
  return out;
}

Result<PageFormat> page_format(std::string_view content_type) {
  std::string_view type = trim(content_type.substr(0, content_type.find(';')));
  std::string t = to_lower(type);
  if (t == "application/vnd.pypi.simple.v1+json") return PageFormat::kJson;
  if (t.starts_with("application/vnd.pypi.simple.") && t.ends_with("+json"))
    return fail("unsupported simple API content type '" + std::string(type) + "'");
  if (t == "application/json") return PageFormat::kJson;
  return PageFormat::kHtml;
}

Result<ProjectPage> parse_html_page(std::string_view html, std::string_view page_url,
                                    std::string_view name) {
  ProjectPage page;
  page.name = std::string(name);
  std::string base(page_url);
  bool base_seen = false;
  HtmlScanner scan(html);
  Tag tag;
  while (scan.next(tag)) {
    if (tag.closing) continue;
    if (tag.name == "base" && !base_seen) {
      if (auto it = tag.attrs.find("href"); it != tag.attrs.end()) {
        base = resolve_url(page_url, trim(it->second));
        base_seen = true;
      }
      continue;
    }
    if (tag.name != "a") continue;
    auto href = tag.attrs.find("href");
    if (href == tag.attrs.end()) continue;
    std::string_view h = trim(href->second);
    if (h.empty()) continue;
    DistributionFile f;
    set_url_and_hash(f, resolve_url(base, h));
    f.filename = url_filename(f.url);
    if (f.filename.empty()) f.filename = std::string(trim(html_unescape(scan.text_until_close_a())));
    if (f.filename.empty()) continue;
    if (auto it = tag.attrs.find("data-requires-python"); it != tag.attrs.end()) {
      std::string_view rp = trim(it->second);
      if (!rp.empty()) f.requires_python = std::string(rp);
    }
    if (auto it = tag.attrs.find("data-yanked"); it != tag.attrs.end()) {
      f.yanked = true;
      f.yanked_reason = it->second;
    }
    if (auto it = tag.attrs.find("data-core-metadata"); it != tag.attrs.end()) {
      f.core_metadata = parse_metadata_attr(it->second);
    } else if (auto it2 = tag.attrs.find("data-dist-info-metadata"); it2 != tag.attrs.end()) {
      f.core_metadata = parse_metadata_attr(it2->second);
    }
    page.files.push_back(std::move(f));
  }
  return page;
}

Result<ProjectPage> parse_json_page(std::string_view json, std::string_view page_url,
                                    std::string_view name) {
  nlohmann::json doc = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
  if (doc.is_discarded()) return fail(json_error(page_url, "not valid JSON"));
  if (!doc.is_object()) return fail(json_error(page_url, "the top level is not an object"));
  ProjectPage page;
  page.name = std::string(name);
  if (auto meta = doc.find("meta"); meta != doc.end() && meta->is_object()) {
    if (auto v = meta->find("api-version"); v != meta->end()) {
      if (!v->is_string()) return fail(json_error(page_url, "meta.api-version is not a string"));
      std::string version = v->get<std::string>();
      if (!(version == "1" || version.starts_with("1.")))
        return fail(redact_url(page_url) + ": unsupported PEP 691 api-version '" + version + "'");
    }
  }
  auto files = doc.find("files");
  if (files == doc.end()) return page;
  if (!files->is_array()) return fail(json_error(page_url, "'files' is not an array"));
  size_t i = 0;
  for (const nlohmann::json& entry : *files) {
    std::string where = "files[" + std::to_string(i++) + "]";
    if (!entry.is_object()) return fail(json_error(page_url, where + " is not an object"));
    auto fn = entry.find("filename");
    auto url = entry.find("url");
    if (fn == entry.end() || !fn->is_string())
      return fail(json_error(page_url, where + ": 'filename' is missing or not a string"));
    if (url == entry.end() || !url->is_string())
      return fail(json_error(page_url, where + ": 'url' is missing or not a string"));
    DistributionFile f;
    f.filename = fn->get<std::string>();
    set_url_and_hash(f, resolve_url(page_url, trim(url->get<std::string>())));
    if (auto h = entry.find("hashes"); h != entry.end()) {
      if (!h->is_object()) return fail(json_error(page_url, where + ": 'hashes' is not an object"));
      for (auto& [algo, hex] : json_hashes(*h)) f.hashes[algo] = hex;
    }
    if (auto rp = entry.find("requires-python"); rp != entry.end() && !rp->is_null()) {
      if (!rp->is_string())
        return fail(json_error(page_url, where + ": 'requires-python' is not a string"));
      std::string_view v = trim(rp->get_ref<const std::string&>());
      if (!v.empty()) f.requires_python = std::string(v);
    }
    if (auto y = entry.find("yanked"); y != entry.end() && !y->is_null()) {
      if (y->is_boolean()) {
        f.yanked = y->get<bool>();
      } else if (y->is_string()) {
        f.yanked = true;
        f.yanked_reason = y->get<std::string>();
      } else {
        return fail(json_error(page_url, where + ": 'yanked' is not a boolean or string"));
      }
    }
    // PEP 714: "core-metadata" replaces "data-dist-info-metadata" (the key PEP 691 JSON
    // first used); "dist-info-metadata" is accepted as well, as some mirrors wrote it so.
    auto md = entry.find("core-metadata");
    if (md == entry.end()) md = entry.find("data-dist-info-metadata");
    if (md == entry.end()) md = entry.find("dist-info-metadata");
    if (md != entry.end() && !md->is_null()) {
      if (md->is_boolean()) {
        if (md->get<bool>()) f.core_metadata = std::map<std::string, std::string>{};
      } else if (md->is_object()) {
        f.core_metadata = json_hashes(*md);
      } else {
        return fail(json_error(page_url, where + ": 'core-metadata' is not a boolean or object"));
      }
    }
    if (auto sz = entry.find("size"); sz != entry.end() && !sz->is_null()) {
      if (!sz->is_number_unsigned() && !(sz->is_number_integer() && sz->get<int64_t>() >= 0))
        return fail(json_error(page_url, where + ": 'size' is not a non-negative integer"));
      f.size = sz->get<uint64_t>();
    }
    page.files.push_back(std::move(f));
  }
  return page;
}

Result<ProjectPage> parse_project_page(std::string_view body, std::string_view content_type,
                                       std::string_view page_url, std::string_view name) {
  Result<PageFormat> format = page_format(content_type);
  if (!format) return fail(redact_url(page_url) + ": " + format.error().message);
  if (*format == PageFormat::kJson) return parse_json_page(body, page_url, name);
  return parse_html_page(body, page_url, name);
}

std::string describe_page(const ProjectPage& page) {
  std::string out;
  for (const DistributionFile& f : page.files) {
    out += f.filename + " " + redact_url(f.url);
    for (const auto& [algo, hex] : f.hashes) out += " " + algo + "=" + hex;
    if (f.requires_python) out += " requires-python=" + *f.requires_python;
    if (f.yanked) out += f.yanked_reason.empty() ? " yanked" : " yanked=" + f.yanked_reason;
    if (f.core_metadata) {
      out += " metadata";
      for (const auto& [algo, hex] : *f.core_metadata) out += "=" + algo + "=" + hex;
    }
    if (f.size) out += " size=" + std::to_string(*f.size);
    out += "\n";
  }
  return out;
}

}  // namespace funcpack
