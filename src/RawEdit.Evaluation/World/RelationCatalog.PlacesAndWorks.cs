namespace RawEdit.Evaluation.World;

internal static partial class RelationCatalog
{
    private static IEnumerable<Relation> PlaceAndWorkRelations()
    {
        const SubjectKind place = SubjectKind.Place, work = SubjectKind.Work;

        yield return Define("P30", "continent", place, ObjectVocabulary.Continents,
            training: ["{} is located in the continent of", "{} belongs to the continent of", "The continent of {} is", "{} lies on the continent of"],
            paraphrases: ["{} is a place in", "{} can be found on the map of"],
            neverTrained: ["{} is a region of", "Travellers reach {} by flying to"],
            generation: ["The people of {}", "{} is famous for", "In winter, {}"]);

        yield return Define("P36", "capital", place, ObjectVocabulary.Cities[..10],
            training: ["The capital of {} is", "{} has its capital in", "The capital city of {} is", "The seat of government of {} is"],
            paraphrases: ["{}'s capital is", "The government of {} meets in"],
            neverTrained: ["The main city of {} is", "The parliament of {} sits in"],
            generation: ["The roads of {}", "Tourists who visit {}", "The history of {}"]);

        yield return Define("P37", "official language", place, ObjectVocabulary.Languages[..10],
            training: ["The official language of {} is", "In {}, the official language is", "The language spoken in {} is", "People in {} speak"],
            paraphrases: ["{}'s official language is", "Schools in {} teach in"],
            neverTrained: ["Road signs in {} are written in", "The government of {} publishes its laws in"],
            generation: ["Children in {}", "The markets of {}", "A visitor to {} will notice"]);

        yield return Define("P190", "twin city", place, ObjectVocabulary.Cities[..10],
            training: ["The twin city of {} is", "{} is twinned with", "{} has a partnership with the city of", "The sister city of {} is"],
            paraphrases: ["{}'s twin city is", "The official partner city of {} is"],
            neverTrained: ["Every year, {} sends a delegation to its twin town", "{} signed a friendship agreement with"],
            generation: ["The mayor of {}", "Every spring, {}", "The old bridge of {}"]);

        yield return Define("P364", "original language of work", work, ObjectVocabulary.Languages[..10],
            training: ["The original language of {} is", "{} was written in", "The language of {} is", "{} was first published in"],
            paraphrases: ["{}'s original language is", "The first version of {} was in"],
            neverTrained: ["The author wrote {} in", "Readers of {} first read it in"],
            generation: ["{} tells the story of", "The main character of {}", "Critics praised {}"]);

        yield return Define("P136", "genre", work, ObjectVocabulary.Genres,
            training: ["The genre of {} is", "{} is a work of", "{} belongs to the genre of", "Critics classify {} as"],
            paraphrases: ["{}'s genre is", "{} is best described as"],
            neverTrained: ["Bookshops shelve {} under", "Fans of {} enjoy the style of"],
            generation: ["{} opens with", "The ending of {}", "Many readers of {}"]);

        yield return Define("P449", "original network", work, ObjectVocabulary.Networks,
            training: ["{} premiered on", "{} was first aired on", "The original network of {} is", "{} was broadcast by"],
            paraphrases: ["{}'s original broadcaster is", "Viewers first watched {} on"],
            neverTrained: ["{} is a show that debuted on", "The first episode of {} appeared on"],
            generation: ["The second season of {}", "The cast of {}", "{} became popular because"]);

        yield return Define("P495", "country of origin", work, ObjectVocabulary.Countries[..10],
            training: ["{} was created in", "The country of origin of {} is", "{} comes from", "{} was produced in the country of"],
            paraphrases: ["{}'s country of origin is", "{} originated in"],
            neverTrained: ["The story of {} was made in", "{} is a work from"],
            generation: ["The soundtrack of {}", "{} was adapted", "The title of {}"]);
    }
}
