//! The words of a report in each language: field labels, control keywords
//! and operator words (RENDERING.md §1 and §3).

/// The language of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    En,
    /// Chinese.
    Zh,
}

impl Lang {
    /// Parses `en` or `zh`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    pub(crate) fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }
}

/// Every fixed word a report uses.
pub(crate) struct Words {
    pub title: &'static str,
    pub source: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub proto: &'static str,
    pub ty: &'static str,
    pub params: &'static str,
    pub params_none: &'static str,
    pub body: &'static str,
    pub callers: &'static str,
    pub callees: &'static str,
    pub referenced_by: &'static str,
    pub macro_title: &'static str,
    pub type_title: &'static str,
    pub macro_name: &'static str,
    pub type_name: &'static str,
    pub definition: &'static str,
    pub members: &'static str,
    pub constants: &'static str,
    pub used_by: &'static str,
    pub empty_body: &'static str,
    pub if_: &'static str,
    pub then: &'static str,
    pub else_: &'static str,
    pub else_if: &'static str,
    /// `While c` is `(while_pre, c, while_post)`.
    pub while_pre: &'static str,
    pub while_post: &'static str,
    pub for_: &'static str,
    pub forever: &'static str,
    pub do_: &'static str,
    pub loop_while_pre: &'static str,
    pub loop_while_post: &'static str,
    pub switch_pre: &'static str,
    pub switch_post: &'static str,
    pub case_pre: &'static str,
    pub case_post: &'static str,
    pub default: &'static str,
    pub break_: &'static str,
    pub continue_: &'static str,
    pub goto: &'static str,
    pub return_: &'static str,
    pub not: &'static str,
    pub or_else: &'static str,
    pub possessive: &'static str,
}

static EN: Words = Words {
    title: "Function report",
    source: "Source:",
    name: "Name:",
    summary: "Summary:",
    proto: "Proto:",
    ty: "Type:",
    params: "Parameters:",
    params_none: "Parameters: none",
    body: "Body:",
    callers: "Callers",
    callees: "Callees",
    referenced_by: "Referenced by",
    macro_title: "Macro report",
    type_title: "Type report",
    macro_name: "Name:",
    type_name: "Name:",
    definition: "Definition:",
    members: "Members:",
    constants: "Constants:",
    used_by: "Used by",
    empty_body: "(empty body)",
    if_: "If",
    then: "Then",
    else_: "Else",
    else_if: "Else If",
    while_pre: "While",
    while_post: "",
    for_: "For",
    forever: "Forever",
    do_: "Do",
    loop_while_pre: "Loop While",
    loop_while_post: "",
    switch_pre: "Switch",
    switch_post: "",
    case_pre: "Case",
    case_post: "",
    default: "Default",
    break_: "Break",
    continue_: "Continue",
    goto: "Go to",
    return_: "Return",
    not: "Not",
    or_else: "Or Else",
    possessive: "'s ",
};

static ZH: Words = Words {
    title: "函数逻辑报告",
    source: "源文件:",
    name: "函数名称:",
    summary: "摘要:",
    proto: "函数原型:",
    ty: "返回类型:",
    params: "参数:",
    params_none: "参数: 无",
    body: "函数体:",
    callers: "调用者",
    callees: "被调用",
    referenced_by: "被引用于",
    macro_title: "宏报告",
    type_title: "类型报告",
    macro_name: "宏名称:",
    type_name: "类型名称:",
    definition: "定义:",
    members: "成员:",
    constants: "常量:",
    used_by: "使用者",
    empty_body: "(函数体为空)",
    if_: "如果",
    then: "则",
    else_: "否则",
    else_if: "否则如果",
    while_pre: "当",
    while_post: "循环",
    for_: "循环",
    forever: "无限循环",
    do_: "执行",
    loop_while_pre: "当",
    loop_while_post: "循环",
    switch_pre: "根据",
    switch_post: "选择",
    case_pre: "当",
    case_post: "时",
    default: "默认",
    break_: "退出",
    continue_: "继续下一循环",
    goto: "转到",
    return_: "返回",
    not: "非",
    or_else: "否则",
    possessive: "的",
};

impl Lang {
    /// A binary or assignment operator as the report writes it.
    pub(crate) fn operator(self, op: &str) -> &str {
        if self == Lang::En {
            return op;
        }
        match op {
            "=" => "等于",
            "==" => "恒等于",
            "!=" => "不等于",
            "<" => "小于",
            ">" => "大于",
            "<=" => "小于等于",
            ">=" => "大于等于",
            "&&" => "且",
            "||" => "或",
            other => other,
        }
    }

    /// `sizeof x`.
    pub(crate) fn size_of(self, x: &str) -> String {
        match self {
            Lang::En => format!("size of {x}"),
            Lang::Zh => format!("{x}的长度"),
        }
    }
}

/// Joins a keyword phrase: words separated by one space, empty parts skipped.
pub(crate) fn phrase(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}
