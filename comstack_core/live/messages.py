"""What the voice line says on its own (greeting, "I don't know", goodbye…), per language.

Languages without a table here speak English. ``{name}`` is the project's name.
"""

from __future__ import annotations

from typing import Literal

from ..rules.locales import base_language

Phrase = Literal[
    "greeting",
    "anything_else",
    "no_answer",
    "reprompt",
    "farewell",
    "transferring",
    "no_transfer",
    "no_transfer_web",
    "page_not_found",
    "unknown_number",
    "line_busy",
]

_PHRASES: dict[str, dict[Phrase, str]] = {
    "en": {
        "greeting": "Hello, this is the {name} assistant. What would you like to know?",
        "anything_else": "Anything else?",
        "no_answer": "Sorry, I don't know that. Our knowledge base doesn't cover it yet.",
        "reprompt": "Sorry, I didn't catch that. What would you like to know?",
        "farewell": "Thank you for calling. Goodbye!",
        "transferring": "One moment, I'm transferring you to a member of our team.",
        "no_transfer": "I'm sorry, I can't transfer you right now. I can still answer your questions.",
        "no_transfer_web": "I can't transfer this conversation, but a member of our team can be reached by phone.",
        "page_not_found": "Sorry, I couldn't find that page.",
        "unknown_number": "Sorry, this number is not connected to a knowledge line. Goodbye.",
        "line_busy": "Sorry, this line has taken all the calls it can today. Please try again tomorrow. Goodbye.",
    },
    "es": {
        "greeting": "Hola, soy el asistente de {name}. ¿Qué le gustaría saber?",
        "anything_else": "¿Algo más?",
        "no_answer": "Lo siento, no lo sé. Nuestra base de conocimiento todavía no lo cubre.",
        "reprompt": "Perdón, no le entendí. ¿Qué le gustaría saber?",
        "farewell": "Gracias por llamar. ¡Adiós!",
        "transferring": "Un momento, le transfiero con una persona de nuestro equipo.",
        "no_transfer": "Lo siento, ahora no puedo transferirle. Puedo seguir respondiendo sus preguntas.",
        "no_transfer_web": "No puedo transferir esta conversación, pero puede llamarnos por teléfono.",
        "page_not_found": "Lo siento, no encontré esa página.",
        "unknown_number": "Lo siento, este número no está conectado a ninguna línea. Adiós.",
        "line_busy": "Lo siento, esta línea ya atendió todas las llamadas que puede hoy. Inténtelo mañana. Adiós.",
    },
    "fr": {
        "greeting": "Bonjour, ici l'assistant de {name}. Que souhaitez-vous savoir ?",
        "anything_else": "Autre chose ?",
        "no_answer": "Désolé, je ne sais pas. Notre base de connaissances n'en parle pas encore.",
        "reprompt": "Pardon, je n'ai pas compris. Que souhaitez-vous savoir ?",
        "farewell": "Merci de votre appel. Au revoir !",
        "transferring": "Un instant, je vous transfère à un membre de notre équipe.",
        "no_transfer": "Désolé, je ne peux pas vous transférer maintenant. Je peux continuer à répondre.",
        "no_transfer_web": "Je ne peux pas transférer cette conversation, mais vous pouvez nous appeler.",
        "page_not_found": "Désolé, je n'ai pas trouvé cette page.",
        "unknown_number": "Désolé, ce numéro n'est relié à aucune ligne. Au revoir.",
        "line_busy": "Désolé, cette ligne a atteint son nombre d'appels pour aujourd'hui. Réessayez demain. Au revoir.",
    },
    "de": {
        "greeting": "Hallo, hier ist der Assistent von {name}. Was möchten Sie wissen?",
        "anything_else": "Noch etwas?",
        "no_answer": "Das weiß ich leider nicht. Unsere Wissensdatenbank deckt das noch nicht ab.",
        "reprompt": "Entschuldigung, das habe ich nicht verstanden. Was möchten Sie wissen?",
        "farewell": "Danke für Ihren Anruf. Auf Wiederhören!",
        "transferring": "Einen Moment, ich verbinde Sie mit unserem Team.",
        "no_transfer": "Ich kann Sie leider gerade nicht verbinden. Ihre Fragen beantworte ich gern weiter.",
        "no_transfer_web": "Ich kann dieses Gespräch nicht weiterleiten, aber Sie erreichen uns telefonisch.",
        "page_not_found": "Diese Seite habe ich leider nicht gefunden.",
        "unknown_number": "Diese Nummer ist leider mit keiner Leitung verbunden. Auf Wiederhören.",
        "line_busy": "Diese Leitung nimmt heute leider keine Anrufe mehr an. Bitte morgen wieder. Auf Wiederhören.",
    },
    "pt": {
        "greeting": "Olá, aqui é o assistente de {name}. O que gostaria de saber?",
        "anything_else": "Mais alguma coisa?",
        "no_answer": "Desculpe, não sei. Nossa base de conhecimento ainda não cobre isso.",
        "reprompt": "Desculpe, não entendi. O que gostaria de saber?",
        "farewell": "Obrigado pela ligação. Tchau!",
        "transferring": "Um momento, vou transferir você para alguém da nossa equipe.",
        "no_transfer": "Desculpe, não posso transferir agora. Posso continuar respondendo suas perguntas.",
        "no_transfer_web": "Não posso transferir esta conversa, mas você pode nos ligar.",
        "page_not_found": "Desculpe, não encontrei essa página.",
        "unknown_number": "Desculpe, este número não está ligado a nenhuma linha. Tchau.",
        "line_busy": "Desculpe, esta linha já atendeu todas as chamadas possíveis hoje. Tente amanhã. Tchau.",
    },
    "it": {
        "greeting": "Buongiorno, sono l'assistente di {name}. Cosa desidera sapere?",
        "anything_else": "Altro?",
        "no_answer": "Mi dispiace, non lo so. La nostra base di conoscenza non ne parla ancora.",
        "reprompt": "Mi scusi, non ho capito. Cosa desidera sapere?",
        "farewell": "Grazie per la chiamata. Arrivederci!",
        "transferring": "Un momento, la trasferisco a una persona del nostro team.",
        "no_transfer": "Mi dispiace, ora non posso trasferirla. Posso continuare a rispondere.",
        "no_transfer_web": "Non posso trasferire questa conversazione, ma può chiamarci al telefono.",
        "page_not_found": "Mi dispiace, non ho trovato quella pagina.",
        "unknown_number": "Mi dispiace, questo numero non è collegato a nessuna linea. Arrivederci.",
        "line_busy": "Mi dispiace, oggi questa linea non accetta altre chiamate. Riprovi domani. Arrivederci.",
    },
}

LANGUAGES = frozenset(_PHRASES)


def say(phrase: Phrase, language: str, **values: str) -> str:
    table = _PHRASES.get(base_language(language), _PHRASES["en"])
    return table[phrase].format(**values)


def instructions(project_name: str, language: str) -> str:
    """The system prompt for a realtime voice model (English: models follow it best; they answer in the
    caller's language as told)."""
    return (
        f"You are the voice assistant of {project_name}. Speak {language} unless the caller switches "
        "language. Answer only from what the tools return: for every question call search_knowledge with "
        "the caller's question in their own words, and say its 'speech' text, briefly. If it finds nothing, "
        "say you don't know; never guess or invent. Use get_page when the caller names a page. If the caller "
        "asks for a person, call transfer_call. Keep answers short: one to three sentences, no lists, no "
        "Markdown, no web addresses read aloud."
    )
